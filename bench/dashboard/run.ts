// The dashboard benchmark's launcher:
//
//   npx tsx bench/dashboard/run.ts [--receipts 1000000] [--reps 15] [--warmup 3] [--export-rows 100000] [--keep-db]
//
// The measurement (measure.ts) calls the dashboard's own query functions, which are marked
// `server-only` like every db/queries module; that package only loads under the "react-server"
// export condition (what Next gives server code), so the measurement runs in a child tsx with
// that condition. Everything else is in measure.ts.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const child = spawn(process.execPath, [tsx, "--conditions=react-server", path.join(here, "measure.ts"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
// Ctrl-C reaches the child through the terminal's process group; it cleans up and exits.
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
