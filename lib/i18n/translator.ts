// The message files as one typed source, and translators for code that runs outside a request:
// e-mails, the receipt PDF, jobs, scripts and tests. The UI reads the same files through
// request.ts (next-intl's per-request configuration). Server-only, so both languages' files never
// end up in a browser bundle.
//
// `createTranslator` is imported from use-intl, the engine next-intl is built on and re-exports
// it from: next-intl's own entry, under the react-server condition outside Next's bundler (the tsx
// scripts, the bulk-send worker process), loads React client hooks and fails to import.
import "server-only";
import { createTranslator } from "use-intl/core";
import type { NamespaceKeys, NestedKeyOf } from "use-intl/core";
import type { Locale } from "./config";
import en from "./messages/en.json";
import es from "./messages/es.json";

export type Messages = typeof es;

// Each assignment fails the type check when the other language lacks a key.
const english: Messages = en;
const spanish: typeof en = es;

export const messages: Record<Locale, Messages> = { es: spanish, en: english };

export type MessageNamespace = NamespaceKeys<Messages, NestedKeyOf<Messages>>;

/**
 * A translator for one namespace in one language, with no request context. A missing message or
 * a missing variable throws instead of printing the key: an e-mail or a receipt must never go out
 * with a placeholder, and the tests render every template in both languages. Reuse the returned
 * translator: it keeps the parsed messages.
 */
export function serverTranslator<N extends MessageNamespace>(locale: Locale, namespace: N) {
  return createTranslator({
    locale,
    messages: messages[locale],
    namespace,
    onError(error) {
      throw error;
    },
  });
}
