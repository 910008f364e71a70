import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import es from "@/lib/i18n/messages/es.json";
import { enrollmentErrorKeys, isEnrollmentErrorKey } from "./messages";

describe("enrollment error keys", () => {
  it("each has a Spanish and an English text, different, whose only placeholder is a length limit", () => {
    for (const key of enrollmentErrorKeys) {
      const texts = [es.enrollment.errors[key], en.enrollment.errors[key]];
      for (const text of texts) {
        expect(typeof text === "string" && text.length > 0, key).toBe(true);
        // The form passes `max` (the field's limit) and nothing else.
        expect(text.replace(/\{max, plural, one \{# [^{}]+\} other \{# [^{}]+\}\}/, ""), key).not.toMatch(/[{}]/);
      }
      expect(/\{max/.test(texts[0]!), key).toBe(key === "too_long");
      expect(texts[0], key).not.toBe(texts[1]);
    }
    expect(Object.keys(es.enrollment.errors).sort()).toEqual([...enrollmentErrorKeys].sort());
  });
  it("recognises its keys", () => {
    expect(isEnrollmentErrorKey("dni_letter")).toBe(true);
    expect(isEnrollmentErrorKey("nonsense")).toBe(false);
  });
});
