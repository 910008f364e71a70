import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used: migrations are SQL files committed under db/migrations
// and applied by the app at start (db/migrate.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  casing: "snake_case",
});
