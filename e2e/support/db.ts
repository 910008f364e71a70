// Direct access to the database the PostgreSQL-backed server uses, so specs can check pages
// against the data itself.
import pg from "pg";

let pool: pg.Pool | undefined;

export function e2eDb(): pg.Pool {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set");
  pool ??= new pg.Pool({ connectionString: url, max: 2 });
  return pool;
}

export async function rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await e2eDb().query(text, values)).rows as T[];
}

/** Spanish and English money as the pages print it, for comparing with integer amounts. */
export function money(amount: number, locale: "es-ES" | "en-GB" = "es-ES"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: "EUR", useGrouping: "always" }).format(amount / 100);
}

/**
 * Which provider serves "Tarjeta" for payers (settings → Métodos de pago): Redsys by default,
 * Stripe for the specs that pay by card through Stripe Checkout.
 */
export async function cardsServedBy(provider: "redsys" | "stripe"): Promise<void> {
  await rows(`update settings set value = jsonb_set(value, '{cardProvider}', to_jsonb($1::text)) where key = 'payment_methods'`, [provider]);
}
