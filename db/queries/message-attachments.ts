// The attachment references of an outbox message (messages.attachments): what to attach at send
// time, e.g. [{ kind: "receipt_pdf", receiptId }]. Never file bytes: the file is made when sent.
import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { messages } from "@/db/schema";

/** The stored references, as JSON to be parsed by the caller; undefined when the message does not exist. */
export async function getMessageAttachments(db: DbOrTx, messageId: string): Promise<unknown> {
  const [row] = await db.select({ attachments: messages.attachments }).from(messages).where(eq(messages.id, messageId));
  return row?.attachments;
}
