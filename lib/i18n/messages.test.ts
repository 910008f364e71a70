// The message files: the same keys in Spanish and English, no empty text, every message valid ICU
// (parsed by the formatter the app uses), and each message using the same variables in both
// languages, so a translation cannot silently drop an amount or a date.
import { createTranslator, IntlErrorCode, type IntlError } from "use-intl/core";
import { describe, expect, it } from "vitest";
import en from "./messages/en.json";
import es from "./messages/es.json";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function textAt(messages: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], messages);
}

/**
 * The variables an ICU message uses, plural and select branches included. Only reads what a
 * valid message holds (the formatter checks validity); apostrophes quote as in ICU.
 */
function icuArguments(message: string): string[] {
  const names = new Set<string>();
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i} in ${JSON.stringify(message)}`);
  };
  const space = () => {
    while (/\s/.test(message[i] ?? "")) i++;
  };
  // Text up to the "}" that closes it (nested) or the end (top level).
  const text = (nested: boolean) => {
    while (i < message.length) {
      const c = message[i]!;
      if (c === "'") {
        if (message[i + 1] === "'") i += 2;
        else if (/[{}#|]/.test(message[i + 1] ?? "")) {
          const end = message.indexOf("'", i + 1);
          i = end === -1 ? message.length : end + 1;
        } else i++;
      } else if (c === "{") {
        i++;
        argument();
      } else if (c === "}") {
        if (nested) return;
        fail("unmatched }");
      } else i++;
    }
    if (nested) fail("unclosed {");
  };
  const argument = () => {
    const head = /^\s*([\p{L}_][\p{L}\p{N}_]*)\s*(?:,\s*(\w+)\s*)?/u.exec(message.slice(i)) ?? fail("no argument name");
    names.add(head[1]!);
    i += head[0].length;
    const type = head[2];
    if (!type) {
      if (message[i] !== "}") fail("expected }");
      i++;
    } else if (type === "plural" || type === "select" || type === "selectordinal") {
      if (message[i] !== ",") fail("expected ,");
      i++;
      for (;;) {
        space();
        if (message[i] === "}") return void i++;
        const selector = /^(offset:\s*\d+|=?[\p{L}\p{N}_-]+)\s*/u.exec(message.slice(i)) ?? fail("no selector");
        i += selector[0].length;
        if (selector[1]!.startsWith("offset:")) continue;
        if (message[i] !== "{") fail("expected {");
        i++;
        text(true);
        i++;
      }
    } else {
      // number, date or time with an optional style: no variables inside.
      const end = message.indexOf("}", i);
      if (end === -1) fail("unclosed {");
      i = end + 1;
    }
  };
  text(false);
  return [...names].sort();
}

describe("message files", () => {
  it("have the same keys in Spanish and English", () => {
    expect(keys(en).sort()).toEqual(keys(es).sort());
  });
  it("have no empty strings", () => {
    for (const messages of [es, en]) {
      for (const key of keys(messages)) {
        const text = textAt(messages, key);
        expect(typeof text === "string" && text.trim().length > 0, key).toBe(true);
      }
    }
  });
  it("are valid ICU messages", () => {
    /** The messages the formatter cannot parse. Missing values are expected here (none are passed). */
    const invalid = (locale: string, messages: object) => {
      const errors: string[] = [];
      for (const key of keys(messages)) {
        const onError = (error: IntlError) => {
          if (error.code !== IntlErrorCode.FORMATTING_ERROR) errors.push(`${key}: ${error.message}`);
        };
        // Passing values makes the formatter parse every message, also those without variables.
        createTranslator({ locale, messages: { message: String(textAt(messages, key)) }, onError })("message", {});
      }
      return errors;
    };
    expect(invalid("es", es)).toEqual([]);
    expect(invalid("en", en)).toEqual([]);
    expect(invalid("es", { broken: { brace: "Hola, {name" } })).toHaveLength(1);
  });
  it("use the same variables in both languages", () => {
    const differ = keys(es).flatMap((key) => {
      const [spanish, english] = [textAt(es, key), textAt(en, key)].map((text) => icuArguments(String(text)).join(","));
      return spanish === english ? [] : [`${key}: es {${spanish}} en {${english}}`];
    });
    expect(differ).toEqual([]);
  });
  it("read variables the way ICU does", () => {
    expect(icuArguments("Hola, {name}: {count, plural, =0 {nada} one {# de {what}} other {# de {what}}}")).toEqual(["count", "name", "what"]);
    expect(icuArguments("It''s '{quoted}' and {n, number, integer} {d, date, long}")).toEqual(["d", "n"]);
    expect(icuArguments("{stage, select, upcoming {Vence el {date}} other {Hoy}}")).toEqual(["date", "stage"]);
    expect(() => icuArguments("Hola, {name")).toThrow();
  });
});
