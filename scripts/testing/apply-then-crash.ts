// A process that applies one provider event and then dies at once (SIGKILL: no cleanup, no
// delivery of anything it queued), for the crash test in lib/payments/faults.test.ts.
// Run with: tsx --conditions=react-server scripts/testing/apply-then-crash.ts <database url> <event json>
import { openDatabase } from "@/db/client";
import { applyProviderEvent } from "@/lib/after-payment";
import type { ProviderEvent } from "@/lib/payments/types";

const [url, eventJson] = process.argv.slice(2);
if (!url || !eventJson) throw new Error("usage: apply-then-crash.ts <database url> <event json>");
const database = await openDatabase({ databaseDriver: "pg", DATABASE_URL: url, PGLITE_DIR: "", NEON_WS_PROXY: undefined });
const result = await applyProviderEvent(database.db, JSON.parse(eventJson) as ProviderEvent, "webhook");
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.kill(process.pid, "SIGKILL"));
