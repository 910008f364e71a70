import "server-only";
import { createHash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";

// --- statements prepared once per connection ------------------------------------------------
//
// Every provider notification runs the statements below (bench/webhooks/findings.md). Building
// a Drizzle query costs the app more CPU than PostgreSQL spends running it, so these are built
// once per connection and sent by name: the app skips the building, PostgreSQL the parsing and
// planning. A prepared statement belongs to the connection it was prepared on, hence the cache
// keyed by the session's client: a pooled node-postgres (or Neon) connection serves many
// transactions; PGlite's transaction client is new each time, so there they are simply rebuilt.

const statementsByClient = new WeakMap<object, Map<string, unknown>>();
/**
 * PostgreSQL's name for each statement: a hash of its text, so that the copies of this module
 * that Next bundles into different routes, which share one pool, agree on every name.
 */
const statementNames = new Map<string, string>();

type Preparable<T> = { toSQL(): { sql: string }; prepare(name: string): T };

/** The statement `build` makes, prepared on `db`'s connection once and reused; `key` names it in this module. */
export function prepared<T>(db: DbOrTx, key: string, build: (db: DbOrTx) => Preparable<T>): T {
  // `session.client` is the driver's connection (or pool); undocumented, so without it, build.
  const client = (db._.session as unknown as { client?: object }).client;
  let statements = client && statementsByClient.get(client);
  let statement = statements?.get(key) as T | undefined;
  if (statement) return statement;
  const query = build(db);
  let name = statementNames.get(key);
  if (!name) statementNames.set(key, (name = `q_${createHash("sha256").update(query.toSQL().sql).digest("hex").slice(0, 24)}`));
  statement = query.prepare(name);
  if (client) {
    if (!statements) statementsByClient.set(client, (statements = new Map()));
    statements.set(key, statement);
  }
  return statement;
}

/** A value bound at execution: `.set()` and `.values()` give it its column's encoder. */
export function param(name: string): SQL {
  return sql.placeholder(name) as unknown as SQL;
}

/**
 * `set` for a patch whose keys vary by caller: one statement per set of keys, with the patch's
 * nulls written into it (a placeholder would run the column's encoder on null).
 */
export function patchSet<K extends string>(patch: Partial<Record<K, unknown>>) {
  const set: Partial<Record<K, SQL>> = {};
  const values: Record<string, unknown> = {};
  const key: string[] = [];
  for (const column of Object.keys(patch).sort() as K[]) {
    const value = patch[column];
    if (value === undefined) continue;
    if (value === null) {
      set[column] = sql`null`;
      key.push(`${column}=null`);
    } else {
      set[column] = param(column);
      values[column] = value;
      key.push(column);
    }
  }
  return { set, values, key: key.join(",") };
}
