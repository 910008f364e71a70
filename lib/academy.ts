// The academy's identity and the defaults of its settings, as stored in the `settings` table.
import { z } from "zod";

export const academySchema = z.object({
  name: z.string().min(1),
  legalName: z.string().min(1),
  taxId: z.string().min(1),
  address: z.string(),
  postcode: z.string(),
  city: z.string(),
  email: z.email(),
  phone: z.string(),
  website: z.string(),
  timeZone: z.string().default("Europe/Madrid"),
  currency: z.string().regex(/^[A-Z]{3}$/).default("EUR"),
});
export type Academy = z.infer<typeof academySchema>;

export const settingKeys = {
  academy: "academy",
  paymentMethods: "payment_methods",
} as const;

export const onlineMethods = ["redsys", "bizum", "paypal", "stripe"] as const;
export const paymentMethodsSchema = z.object({
  enrollment: z.array(z.enum(onlineMethods)),
  receipts: z.array(z.enum(onlineMethods)),
});

/**
 * Stands in until an admin fills in the academy's identity, so nothing that must not fail
 * (a payment and its receipt e-mail) depends on settings being complete.
 */
export function provisionalAcademy(appUrl: string): Academy {
  const host = new URL(appUrl).hostname;
  return {
    name: host,
    legalName: host,
    taxId: "",
    address: "",
    postcode: "",
    city: "",
    email: `no-reply@${host.includes(".") ? host : "localhost"}`,
    phone: "",
    website: appUrl,
    timeZone: "Europe/Madrid",
    currency: "EUR",
  };
}
