// Payment links (lib/receipts/payment-links.ts): stored by the hash of their token, at most one
// live per receipt.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { paymentLinks } from "@/db/schema";

/** Revokes the receipt's live link, if it has one. */
export async function revokeLivePaymentLinks(tx: DbOrTx, receiptId: string, revokedAt: Date): Promise<void> {
  await tx
    .update(paymentLinks)
    .set({ revokedAt })
    .where(and(eq(paymentLinks.receiptId, receiptId), isNull(paymentLinks.revokedAt)));
}

export async function insertPaymentLink(tx: DbOrTx, link: { receiptId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  await tx.insert(paymentLinks).values(link);
}

export async function findPaymentLinkByTokenHash(db: DbOrTx, tokenHash: string) {
  const [link] = await db
    .select({ receiptId: paymentLinks.receiptId, expiresAt: paymentLinks.expiresAt, revokedAt: paymentLinks.revokedAt })
    .from(paymentLinks)
    .where(eq(paymentLinks.tokenHash, tokenHash));
  return link;
}
