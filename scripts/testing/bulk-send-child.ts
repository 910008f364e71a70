// The process the bulk-send crash test kills: it works one bulk send (enqueue in chunks, deliver
// through the outbox over SMTP) exactly as the `send-bulk` job does, against the database and
// SMTP server the test names, and exits when the send is done. Run with
// `tsx --conditions=react-server scripts/testing/bulk-send-child.ts`; configured by environment:
// DATABASE_URL, SMTP_URL, APP_URL, BULK_SEND_ID, and CLOCK_OFFSET_MS (a restarted process may
// pretend the outbox's sending lease has run out instead of waiting ten real minutes).
import { openDatabase } from "@/db/client";
import { runBulkSend } from "@/lib/messaging/bulk-send";
import { createMailTransport } from "@/lib/messaging/transport";

async function main(): Promise<void> {
  const { DATABASE_URL, SMTP_URL, APP_URL, BULK_SEND_ID } = process.env;
  if (!DATABASE_URL || !SMTP_URL || !APP_URL || !BULK_SEND_ID) throw new Error("DATABASE_URL, SMTP_URL, APP_URL and BULK_SEND_ID are required");
  const offset = Number(process.env.CLOCK_OFFSET_MS ?? "0");
  const database = await openDatabase({ databaseDriver: "pg", DATABASE_URL, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
  const transport = createMailTransport({ SMTP_URL, MAIL_FROM: undefined, APP_URL }, { academyName: "Academia", connectionTimeoutMs: 3_000 });
  try {
    for (;;) {
      const now = offset ? new Date(Date.now() + offset) : undefined;
      const report = await runBulkSend(database.db, BULK_SEND_ID, { transport, chunkSize: 50, now });
      process.stdout.write(`${JSON.stringify(report)}\n`);
      if (report.status === "done" || report.status === "failed") break;
    }
  } finally {
    transport.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
