// Files that go with an email, made at send time from the references stored on the message
// (messages.attachments): the outbox never stores file bytes, and a file made when sending shows
// the receipt as it is then. Each send makes each file once, so a retried message carries the
// same single attachment as its first try.
import "server-only";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { getMessageAttachments } from "@/db/queries/message-attachments";
import { loadReceiptPdf } from "@/lib/receipts/pdf";
import type { MailAttachment } from "./templates";

export const attachmentRefSchema = z.discriminatedUnion("kind", [z.object({ kind: z.literal("receipt_pdf"), receiptId: z.uuid() })]);
export type AttachmentRef = z.infer<typeof attachmentRefSchema>;

const storedRefs = z.array(attachmentRefSchema);

/**
 * The files for one message, or undefined when it has none. Throws (a temporary failure for the
 * outbox, which retries and in the end marks the message failed for staff to see) when a stored
 * reference cannot be made into its file, rather than sending an email that says "attached"
 * without the file.
 */
export async function attachmentsForMessage(db: DbOrTx, messageId: string): Promise<MailAttachment[] | undefined> {
  const refs = storedRefs.parse((await getMessageAttachments(db, messageId)) ?? []);
  const unique = [...new Map(refs.map((ref) => [`${ref.kind}:${ref.receiptId}`, ref])).values()];
  if (unique.length === 0) return undefined;
  const files: MailAttachment[] = [];
  for (const ref of unique) {
    switch (ref.kind) {
      case "receipt_pdf": {
        const pdf = await loadReceiptPdf(db, ref.receiptId);
        if (!pdf) throw new Error(`receipt ${ref.receiptId} has no PDF (it does not exist or is not paid)`);
        files.push({ filename: pdf.filename, contentType: "application/pdf", content: Buffer.from(pdf.bytes) });
        break;
      }
    }
  }
  return files;
}
