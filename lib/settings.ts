// The academy's settings as the domain needs them: parsed, with safe defaults.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { readSetting } from "@/db/queries/settings";
import { academySchema, paymentMethodsSchema, provisionalAcademy, settingKeys, type Academy } from "@/lib/academy";
import { env } from "@/lib/env";
import { availableMethods, paymentsConfig } from "@/lib/payments/config";
import type { OnlineMethod } from "@/lib/payments/types";

/** The academy's identity; undefined until an admin (or the demo seed) has set it. */
export async function getAcademy(db: DbOrTx): Promise<Academy | undefined> {
  const value = await readSetting(db, settingKeys.academy);
  return value === undefined ? undefined : academySchema.parse(value);
}

/** The academy's identity, or a provisional one built from APP_URL while it is not set. */
export async function getAcademyOrProvisional(db: DbOrTx): Promise<Academy> {
  return (await getAcademy(db)) ?? provisionalAcademy(env().APP_URL);
}

/**
 * The online methods the academy offers in a flow: what it enabled in settings (all, until it
 * chooses) among what the configuration can serve.
 */
export async function getEnabledMethods(db: DbOrTx, flow: "receipts" | "enrollment"): Promise<OnlineMethod[]> {
  const available = availableMethods(paymentsConfig(env()));
  const parsed = paymentMethodsSchema.safeParse(await readSetting(db, settingKeys.paymentMethods));
  const chosen = parsed.success ? parsed.data[flow] : available;
  return available.filter((method) => chosen.includes(method));
}
