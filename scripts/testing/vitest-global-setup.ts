// Vitest global setup: makes sure a real PostgreSQL is there for the database tests (the one
// TEST_DATABASE_URL names, or a throwaway cluster started here) and tears down what it started.
//
// Tests read the server's URL from process.env.TEST_DATABASE_URL: the global setup runs in the
// main vitest process before any worker is spawned, and workers inherit its environment
// (verified with vitest 4.1 forks and threads pools). It is also provided as
// inject("testDatabaseUrl") for code that prefers vitest's own channel.
import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // No silent skip: if there is no PostgreSQL, this throws one sentence saying how to get one.
  const postgres = await startTestPostgres();
  process.env.TEST_DATABASE_URL = postgres.url;
  project.provide("testDatabaseUrl", postgres.url);
  return async () => {
    await postgres.stop();
  };
}
