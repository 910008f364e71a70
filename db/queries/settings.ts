import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { settings } from "@/db/schema";
import { academySchema, settingKeys, type Academy } from "@/lib/academy";

/** The academy's identity; undefined until an admin (or the demo seed) has set it. */
export async function getAcademy(db: DbOrTx): Promise<Academy | undefined> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, settingKeys.academy));
  return row ? academySchema.parse(row.value) : undefined;
}
