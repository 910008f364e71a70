// Keyset cursors for the people lists, in the URL as base64url JSON arrays. A damaged or
// tampered cursor starts from the first page rather than failing.
import type { z } from "zod";

export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor<T>(text: string | string[] | undefined, schema: z.ZodType<T>): T | undefined {
  const raw = Array.isArray(text) ? text[0] : text;
  if (!raw || raw.length > 400) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function firstValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() ? text.trim() : undefined;
}

export function hrefWith(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
