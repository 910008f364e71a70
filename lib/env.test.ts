import { readFileSync } from "node:fs";
import { parseEnv as parseDotenv } from "node:util";
import { describe, expect, it } from "vitest";
import { EnvError, envVariableNames, parseEnv } from "./env";

function problem(source: Record<string, string>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected the environment to be refused");
}

describe("parseEnv", () => {
  it("defaults to the embedded database and the local app URL", () => {
    const env = parseEnv({});
    expect(env.databaseDriver).toBe("pglite");
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.PGLITE_DIR).toBe(".data/pglite");
  });

  it("treats empty values as unset, as a copied .env.example has them", () => {
    const env = parseEnv({ DATABASE_URL: "", DATABASE_DRIVER: "", PAYPAL_MODE: " ", APP_URL: "" });
    expect(env.databaseDriver).toBe("pglite");
    expect(env.APP_URL).toBe("http://localhost:3000");
  });

  it("infers the driver from DATABASE_URL", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u:p@db.local:5432/academy" }).databaseDriver).toBe("pg");
    expect(parseEnv({ DATABASE_URL: "postgresql://u:p@ep-x-123.eu-central-1.aws.neon.tech/db" }).databaseDriver).toBe("neon");
    expect(parseEnv({ DATABASE_URL: "postgres://u:p@localhost/db", DATABASE_DRIVER: "neon" }).databaseDriver).toBe("neon");
  });

  it.each([
    [{ DATABASE_URL: "mysql://localhost/db" }, "DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ APP_ENCRYPTION_KEY: "too-short" }, "APP_ENCRYPTION_KEY"],
    [{ APP_URL: "localhost:3000" }, "APP_URL"],
    [{ STRIPE_SECRET_KEY: "pk_test_123" }, "STRIPE_SECRET_KEY"],
    [{ REDSYS_SECRET_KEY: "c2hvcnQ=" }, "REDSYS_SECRET_KEY"],
    [{ DATABASE_DRIVER: "mysql" }, "DATABASE_DRIVER"],
    [{ DATABASE_DRIVER: "pg" }, "DATABASE_DRIVER"],
    [{ NODE_ENV: "production" }, "AUTH_SECRET"],
  ])("names the bad variable in one line: %o", (source, variable) => {
    const error = problem(source);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`Invalid environment: ${variable} `)).toBe(true);
    expect(error.message).not.toContain("\n");
  });

  it("never echoes a secret value", () => {
    const secret = "postgres-but-not://user:hunter2@host/db";
    expect(problem({ DATABASE_URL: secret }).message).not.toContain("hunter2");
    expect(problem({ APP_ENCRYPTION_KEY: "hunter2hunter2" }).message).not.toContain("hunter2");
  });

  it("accepts a 32-byte key in hex or base64", () => {
    expect(() => parseEnv({ APP_ENCRYPTION_KEY: "a".repeat(64) })).not.toThrow();
    expect(() => parseEnv({ APP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") })).not.toThrow();
  });
});

describe(".env.example", () => {
  const example = parseDotenv(readFileSync(new URL("../.env.example", import.meta.url), "utf8"));
  it("documents every variable the app reads, and nothing else", () => {
    expect(Object.keys(example).sort()).toEqual([...envVariableNames].sort());
  });
  it("is a valid configuration as it stands", () => {
    expect(() => parseEnv(example)).not.toThrow();
  });
});
