// Which database the process opens, read from its four variables. It lives beside the driver
// code so db/ needs nothing from lib/; lib/env.ts validates the same variables at start-up (with
// the operator-facing message), so a bad value never gets this far in the server.

export type DatabaseDriver = "pglite" | "pg" | "neon";

export type DatabaseConfig = {
  databaseDriver: DatabaseDriver;
  DATABASE_URL?: string;
  PGLITE_DIR: string;
  NEON_WS_PROXY?: string;
};

const drivers: readonly DatabaseDriver[] = ["pglite", "pg", "neon"];

function isDriver(value: string): value is DatabaseDriver {
  return (drivers as readonly string[]).includes(value);
}

/** A Neon host means the Neon driver; any other URL plain node-postgres; none the embedded PGlite. */
export function inferDatabaseDriver(url: string | undefined): DatabaseDriver {
  if (!url) return "pglite";
  return new URL(url).hostname.endsWith(".neon.tech") ? "neon" : "pg";
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** The same reading as lib/env.ts: an empty value means unset, URLs are trimmed. */
export function databaseConfigFrom(source: Record<string, string | undefined>): DatabaseConfig {
  const given = (name: string) => {
    const value = source[name];
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  const url = given("DATABASE_URL")?.trim();
  if (url !== undefined && !isPostgresUrl(url)) {
    throw new Error("Invalid environment: DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database).");
  }
  const driver = given("DATABASE_DRIVER");
  if (driver !== undefined && !isDriver(driver)) {
    throw new Error(`Invalid environment: DATABASE_DRIVER must be one of: ${drivers.join(", ")}.`);
  }
  if (driver !== undefined && driver !== "pglite" && !url) {
    throw new Error(`Invalid environment: DATABASE_DRIVER is ${driver} but DATABASE_URL is not set.`);
  }
  return {
    databaseDriver: driver ?? inferDatabaseDriver(url),
    DATABASE_URL: url,
    PGLITE_DIR: given("PGLITE_DIR") ?? ".data/pglite",
    NEON_WS_PROXY: given("NEON_WS_PROXY")?.trim(),
  };
}
