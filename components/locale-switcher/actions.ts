"use server";
import { publicAction } from "@/lib/actions/client";
import { cookies } from "next/headers";
import { isLocale, localeCookie } from "@/lib/i18n/config";

export const setLocale = publicAction("only sets the visitor’s language cookie", async (formData: FormData): Promise<void> => {
  const locale = formData.get("locale");
  if (!isLocale(locale)) return;
  (await cookies()).set(localeCookie, locale, { path: "/", maxAge: 365 * 24 * 60 * 60, sameSite: "lax" });
});
