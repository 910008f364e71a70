// Payment links: capability URLs to pay one receipt from home. The token is random, shown once
// (in the e-mail or API answer) and stored only as its SHA-256 hash; a receipt has at most one
// live link, and issuing a new one revokes the old.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { findPaymentLinkByTokenHash, insertPaymentLink, revokeLivePaymentLinks } from "@/db/queries/payment-links";
import { env } from "@/lib/env";

/** Links live this long after the receipt's due date unless staff revoke them. */
const LINK_DAYS_AFTER_DUE = 90;

export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function paymentUrl(token: string): string {
  return `${env().APP_URL}/pay/${token}`;
}

export async function issuePaymentLink(tx: DbOrTx, receiptId: string, dueDate: string): Promise<{ token: string; url: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.parse(`${dueDate}T23:59:59Z`) + LINK_DAYS_AFTER_DUE * 86_400_000);
  await revokeLivePaymentLinks(tx, receiptId, new Date());
  await insertPaymentLink(tx, { receiptId, tokenHash: hashLinkToken(token), expiresAt });
  return { token, url: paymentUrl(token), expiresAt };
}

export type LinkLookup = { state: "unknown" } | { state: "revoked" | "expired"; receiptId: string } | { state: "live"; receiptId: string };

export async function lookUpPaymentLink(db: DbOrTx, token: string, now = new Date()): Promise<LinkLookup> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: "unknown" };
  const link = await findPaymentLinkByTokenHash(db, hashLinkToken(token));
  if (!link) return { state: "unknown" };
  if (link.revokedAt) return { state: "revoked", receiptId: link.receiptId };
  if (link.expiresAt <= now) return { state: "expired", receiptId: link.receiptId };
  return { state: "live", receiptId: link.receiptId };
}
