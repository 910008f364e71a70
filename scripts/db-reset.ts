// `npm run db:reset`: wipes the database and loads the demo academy again.
// Stop the app first: the embedded database has one owning process.
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { demoCredentials, seedDemo } from "@/lib/demo/seed";
import { loadEnvOrExit } from "@/lib/env";

const env = loadEnvOrExit();
const database = await openDatabase(env).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
try {
  await database.db.execute(sql`drop schema if exists public cascade`);
  await database.db.execute(sql`drop schema if exists drizzle cascade`);
  await database.db.execute(sql`create schema public`);
  await database.migrate();
  const result = await seedDemo(database.db, { apiKey: env.DEMO_API_KEY });
  console.info(`Demo data reset (${database.driver}): ${result.students} students, ${result.receipts} receipts.`);
  console.info(`  admin: ${demoCredentials.admin.email} / ${demoCredentials.admin.password}`);
  console.info(`  staff: ${demoCredentials.staff.email} / ${demoCredentials.staff.password}`);
  console.info(`  API key: ${env.DEMO_API_KEY ? "(from DEMO_API_KEY)" : result.apiKey}`);
} finally {
  await database.close();
}
