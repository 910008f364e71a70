import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { settings } from "@/db/schema";
import { academySchema, provisionalAcademy, settingKeys, type Academy } from "@/lib/academy";
import { env } from "@/lib/env";

/** The academy's identity; undefined until an admin (or the demo seed) has set it. */
export async function getAcademy(db: DbOrTx): Promise<Academy | undefined> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, settingKeys.academy));
  return row ? academySchema.parse(row.value) : undefined;
}

/** The academy's identity, or a provisional one built from APP_URL while it is not set. */
export async function getAcademyOrProvisional(db: DbOrTx): Promise<Academy> {
  return (await getAcademy(db)) ?? provisionalAcademy(env().APP_URL);
}
