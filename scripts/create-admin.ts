// `npm run admin:create -- --email ana@miacademia.es --name "Ana Ruiz"`: the first admin of a new
// installation (or another one). The password is generated, printed once here and never again,
// and must be changed at the first sign-in.
import { parseArgs } from "node:util";
import { z } from "zod";
import { openDatabase } from "@/db/client";
import { createAdminFromCommandLine } from "@/lib/auth/users";
import { loadEnvOrExit } from "@/lib/env";

const usage = 'usage: npm run admin:create -- --email ana@miacademia.es --name "Ana Ruiz"';
const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } }, strict: true });
const input = z.object({ email: z.email().max(254), name: z.string().trim().min(2).max(120) }).safeParse(values);
if (!input.success) {
  console.error(`${usage}\n(${input.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; ")})`);
  process.exit(2);
}

const env = loadEnvOrExit();
const database = await openDatabase(env).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
try {
  await database.migrate();
  const result = await createAdminFromCommandLine(database.db, input.data);
  if (!result.ok) {
    console.error(`There is already a user with the e-mail ${result.email}.`);
    process.exitCode = 1;
  } else {
    console.info(`Admin created: ${result.email}`);
    console.info(`  password (shown only now; it must be changed at the first sign-in): ${result.password}`);
    console.info(`  sign in at ${env.APP_URL}/admin/sign-in`);
  }
} finally {
  await database.close();
}
