// Runs once per server process before it serves requests.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareServer, startBackgroundJobs } = await import("@/lib/startup");
  await prepareServer();
  // `next build` may load this file while prerendering: job workers belong to a serving process.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  await startBackgroundJobs();
}
