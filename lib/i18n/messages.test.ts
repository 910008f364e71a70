import { describe, expect, it } from "vitest";
import en from "./messages/en.json";
import es from "./messages/es.json";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message files", () => {
  it("have the same keys in Spanish and English", () => {
    expect(keys(en).sort()).toEqual(keys(es).sort());
  });
  it("have no empty strings", () => {
    for (const messages of [es, en]) {
      for (const key of keys(messages)) {
        const text = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], messages);
        expect(typeof text === "string" && text.trim().length > 0, key).toBe(true);
      }
    }
  });
});
