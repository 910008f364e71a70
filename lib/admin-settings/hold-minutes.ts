// How long a seat is held while its payment is under way, per method, as saved on the
// Políticas page. It shares the enrollment_policies row with onPaymentFailure (that schema
// ignores the extra field), so both policies of an enrollment live in one place.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { readSetting } from "@/db/queries/settings";
import { settingKeys } from "@/lib/academy";
import { holdMinutesSchema } from "./schemas";

export type HoldMinutes = { redsys: number; bizum: number; stripe: number; paypal: number };

/** The saved hold minutes; undefined until an admin saves them (callers use their defaults). */
export async function readHoldMinutes(db: DbOrTx): Promise<HoldMinutes | undefined> {
  const stored = await readSetting(db, settingKeys.enrollmentPolicies);
  if (typeof stored !== "object" || stored === null || !("holdMinutes" in stored)) return undefined;
  const parsed = holdMinutesSchema.safeParse(stored.holdMinutes);
  return parsed.success ? parsed.data : undefined;
}
