import { describe, expect, it } from "vitest";
import en from "@/lib/i18n/messages/en.json";
import es from "@/lib/i18n/messages/es.json";
import { enrollmentErrorKeys, isEnrollmentErrorKey } from "./messages";

describe("enrollment error keys", () => {
  it("each has a Spanish and an English text, different, whose only placeholders are the limits the form passes", () => {
    for (const key of enrollmentErrorKeys) {
      const texts = [es.enrollment.errors[key], en.enrollment.errors[key]];
      for (const text of texts) {
        expect(typeof text === "string" && text.length > 0, key).toBe(true);
        // The form passes `max` (a field's length, or a course's age) and `min` (a course's age).
        const rest = text.replace(/\{max, plural, one \{# [^{}]+\} other \{# [^{}]+\}\}/, "").replace(/\{(min|max)\}/g, "");
        expect(rest, key).not.toMatch(/[{}]/);
      }
      expect(texts[0], key).not.toBe(texts[1]);
    }
    expect(Object.keys(es.enrollment.errors).sort()).toEqual([...enrollmentErrorKeys].sort());
  });
  it("recognises its keys", () => {
    expect(isEnrollmentErrorKey("dni_letter")).toBe(true);
    expect(isEnrollmentErrorKey("nonsense")).toBe(false);
  });
});
