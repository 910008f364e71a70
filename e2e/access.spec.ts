// Access to the dashboard, against the production build: every server action and every
// staff page and route, enumerated from the build's manifests (never listed by hand), refuses
// callers without the right session, and the refused calls change nothing.
// - anonymous (no cookie): pages redirect to sign-in, routes answer 401/403 or redirect, actions
//   posted to their page are refused (a redirect to sign-in; under /admin, proxy.ts answers first);
// - a deactivated user whose signed cookie is still valid: proxy.ts lets them through, so every
//   page, route and action must refuse them itself (this is what catches a missing requireStaff);
// - a signed-in staff user: every admin-only page and action is refused. Admin-only means: the
//   source calls requireStaff("admin"), or it lives under a section the dashboard's nav marks
//   adminOnly (so a new settings page that forgets the role check is caught too).
// Public doors are those named, with their reason, in app/access-control.test.ts.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { hashPassword } from "../lib/auth/password";
import { signIn, staff } from "./support/auth";
import { rows } from "./support/db";
import { appUrl } from "./support/ports";

const root = process.cwd();
const distDir = path.resolve(root, process.env.NEXT_DIST_DIR || ".next");
const read = (file: string) => readFileSync(path.resolve(root, file), "utf8");

// --- What the build contains ------------------------------------------------------------------

type ManifestAction = { workers: Record<string, unknown>; filename?: string; exportedName?: string };
type Action = { id: string; file: string; name: string; url: string; door: string };
type Door = { key: string; url: string; kind: "page" | "route"; file: string };

/** "/admin/(dashboard)/receipts/[id]/page" → "/admin/receipts/<uuid>" (any value will do: the check comes first). */
function urlOf(routeKey: string): string {
  const parts = routeKey
    .replace(/^app\//, "/")
    .split("/")
    .filter((part) => part && !/^\(.*\)$/.test(part) && !part.startsWith("@"));
  parts.pop(); // page | route
  return `/${parts.map((part) => (/^\[.*\]$/.test(part) ? randomUUID() : part)).join("/")}`;
}

function sourceFile(routeKey: string): string {
  const base = `app${routeKey.replace(/^app\//, "/")}`;
  for (const ext of [".tsx", ".ts"]) {
    try {
      read(base + ext);
      return base + ext;
    } catch {
      // try the next extension
    }
  }
  throw new Error(`no source for ${routeKey}`);
}

function buildActions(): Action[] {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server/server-reference-manifest.json"), "utf8")) as { node: Record<string, ManifestAction> };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const page = Object.keys(entry.workers)[0];
    if (!entry.filename || !entry.exportedName || !page) throw new Error(`server action ${id} has no file, name or page in the manifest`);
    return { id, file: entry.filename, name: entry.exportedName, url: urlOf(page), door: `${entry.filename}#${entry.exportedName}` };
  });
}

function buildDoors(): Door[] {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server/app-paths-manifest.json"), "utf8")) as Record<string, string>;
  return Object.keys(manifest)
    .filter((key) => /\/(page|route)$/.test(key))
    .map((key) => ({ key, url: urlOf(key) }))
    .filter((door) => (door.url.startsWith("/admin") && door.url !== "/admin/sign-in") || door.url.startsWith("/api/cron"))
    .map((door) => ({ ...door, kind: door.key.endsWith("/route") ? ("route" as const) : ("page" as const), file: sourceFile(door.key) }));
}

/** The public doors named in the static access test, each with its reason there. */
const publicActions = new Set(
  [...(/const publicActions[^{]*\{([\s\S]*?)\n\};/.exec(read("app/access-control.test.ts"))?.[1] ?? "").matchAll(/^\s*"([^"]+#\w+)":/gm)].map((m) => m[1]!),
);

/** Sections the dashboard's nav shows to admins only. */
const adminSections = [...read("components/admin/admin-nav.tsx").matchAll(/href: "([^"]+)"[^}]*adminOnly: true/g)].map((m) => m[1]!);
const inAdminSection = (url: string) => adminSections.some((section) => url === section || url.startsWith(`${section}/`));

/** The text of an exported action (up to the next top-level export), as the static test reads it. */
function actionSource(file: string, name: string): string {
  const source = read(file);
  const matches = [...source.matchAll(/^export (?:async function|function|const) (\w+)/gm)];
  const i = matches.findIndex((m) => m[1] === name);
  return i < 0 ? "" : source.slice(matches[i]!.index, matches[i + 1]?.index ?? source.length);
}

/** Whether an action declares the admin access to the action client: in its spec, or as a wrapper's access argument. */
const declaresAdmin = (text: string) =>
  /access: "admin"/.test(text) || /^export const \w+ = (?:staffAction|\w+)(?:<[^(]*>)?\(\s*(?:"[^"]*",\s*)?"admin"/.test(text);

/** The URL of the folder an action file lives in: app/admin/(dashboard)/users/actions.ts → /admin/users. */
const folderUrl = (file: string) => urlOf(`${path.posix.dirname(file)}/page`);
const adminOnlyAction = (action: Action) => declaresAdmin(actionSource(action.file, action.name)) || inAdminSection(folderUrl(action.file));
const adminOnlyDoor = (door: Door) => /requireStaff\("admin"\)/.test(read(door.file)) || inAdminSection(door.url);

const actions = buildActions();
const doors = buildDoors();
const guardedActions = actions.filter((action) => !publicActions.has(action.door));

// --- Calling them -----------------------------------------------------------------------------

/** A server action called as the browser does (Next-Action header, RSC accept), without following redirects. */
function callAction(request: APIRequestContext, action: Action): Promise<APIResponse> {
  return request.post(action.url, {
    headers: { "next-action": action.id, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8", origin: appUrl },
    data: "[]",
    maxRedirects: 0,
    failOnStatusCode: false,
  });
}

/** Where a refused call sends the browser: a plain redirect, or a server action's redirect header ("url;push"). */
function redirectTarget(response: APIResponse): string {
  const headers = response.headers();
  return headers["x-action-redirect"] ?? (response.status() >= 300 && response.status() < 400 ? (headers.location ?? "") : "");
}

async function expectSentToSignIn(response: APIResponse, what: string) {
  expect(redirectTarget(response), `${what} (status ${response.status()})`).toMatch(/\/admin\/sign-in/);
}

/**
 * What an action could change, fingerprinted: every public table's row count and the full
 * content of the tables staff actions edit. Left out: rate limits (counting is the point) and
 * sign-in times, and the tables the background jobs write on their own schedule.
 */
async function fingerprint(): Promise<Record<string, string>> {
  const jobTables = new Set(["rate_limits", "messages", "payment_attempts", "provider_events", "audit_events"]);
  const tables = await rows<{ name: string }>(
    `select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '__drizzle%' order by 1`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables.filter((t) => !jobTables.has(t.name))) {
    const [row] = await rows<{ n: number; digest: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${name}" t`,
    );
    result[name] = `${row!.n}:${row!.digest}`;
  }
  const [staffAudit] = await rows<{ n: number }>(`select count(*)::int as n from audit_events where source = 'staff'`);
  result.audit_events_by_staff = String(staffAudit!.n);
  const [users] = await rows<{ digest: string }>(
    `select md5(string_agg(concat_ws(',', id, email, name, role, active, password_hash, password_changed_at), '|' order by id)) as digest from staff_users`,
  );
  result.staff_users = users!.digest;
  return result;
}

// --- The checks -------------------------------------------------------------------------------

test.describe.configure({ mode: "serial" });

test("the manifests list the actions and doors (the enumeration works)", () => {
  expect(actions.length).toBeGreaterThan(5);
  expect(actions.map((a) => a.door)).toEqual(expect.arrayContaining([...publicActions].filter((door) => actions.some((a) => a.door === door))));
  expect(guardedActions.map((a) => a.door)).toEqual(
    expect.arrayContaining(["app/admin/(dashboard)/users/actions.ts#createUserAction", "app/admin/(dashboard)/account/actions.ts#changePasswordAction"]),
  );
  expect(doors.map((d) => d.url)).toEqual(expect.arrayContaining(["/admin", "/admin/users", "/admin/account"]));
  expect(doors.some((d) => d.kind === "route" && d.url.startsWith("/api/cron"))).toBe(true);
  expect(adminSections).toEqual(expect.arrayContaining(["/admin/users"]));
  expect(actions.filter(adminOnlyAction).map((a) => a.name)).toEqual(
    expect.arrayContaining(["createUserAction", "changeRoleAction", "setActiveAction", "resetPasswordAction"]),
  );
  // Each public door in the allowlist is a real action (a stale entry would hide nothing, but says the list rotted).
  for (const door of publicActions) expect(read(door.split("#")[0]!), door).toMatch(new RegExp(`export const ${door.split("#")[1]} = publicAction\\(`));
  // Actions outside the admin sections that declare the admin access are found too (refunds, cancelling a receipt).
  expect(actions.filter(adminOnlyAction).map((a) => a.name)).toEqual(
    expect.arrayContaining(["refundAction", "cancelReceiptAction", "refundExtraPaymentAction"]),
  );
});

test("anonymous callers are refused by every staff page, route and server action, and change nothing", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({ baseURL: appUrl });
  try {
    for (const door of doors) {
      const response = await anonymous.get(door.url, { maxRedirects: 0, failOnStatusCode: false });
      if (door.kind === "route") {
        const refused = [401, 403].includes(response.status()) || /\/admin\/sign-in/.test(redirectTarget(response));
        expect(refused, `${door.key} answered ${response.status()}`).toBe(true);
      } else {
        await expectSentToSignIn(response, door.key);
      }
    }
    const before = await fingerprint();
    for (const action of guardedActions) {
      await expectSentToSignIn(await callAction(anonymous, action), `${action.door} at ${action.url}`);
    }
    expect(await fingerprint()).toEqual(before);
  } finally {
    await anonymous.dispose();
  }
});

test("a deactivated user's still-signed session is refused by every page, route and action themselves", async ({ browser }) => {
  const email = `desactivada-${Date.now()}@academiasol.es`;
  const password = "Clave-De-Prueba-Acceso-1";
  await rows(`insert into staff_users (email, name, password_hash, role) values ($1, 'Acceso desactivada', $2, 'admin')`, [
    email,
    await hashPassword(password),
  ]);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, { email, password });
    // The cookie stays valid (signed, unexpired): only the pages' and actions' own checks can refuse now.
    await rows(`update staff_users set active = false where email = $1`, [email]);
    for (const door of doors.filter((d) => d.url.startsWith("/admin"))) {
      await expectSentToSignIn(await page.request.get(door.url, { maxRedirects: 0, failOnStatusCode: false }), door.key);
    }
    const before = await fingerprint();
    for (const action of guardedActions) {
      await expectSentToSignIn(await callAction(page.request, action), `${action.door} at ${action.url}`);
    }
    expect(await fingerprint()).toEqual(before);
  } finally {
    await context.close();
  }
});

test("a signed-in staff user is refused every admin-only page and action, and changes nothing", async ({ page }) => {
  const adminPages = doors.filter((d) => d.kind === "page" && adminOnlyDoor(d));
  const adminActions = guardedActions.filter(adminOnlyAction);
  expect(adminPages.map((d) => d.url)).toContain("/admin/users");
  await signIn(page, staff);
  for (const door of adminPages) {
    const response = await page.request.get(door.url, { maxRedirects: 0, failOnStatusCode: false });
    expect(redirectTarget(response), `${door.key} (status ${response.status()})`).toMatch(/\/admin\?forbidden=1(;|$)/);
  }
  const before = await fingerprint();
  for (const action of adminActions) {
    const response = await callAction(page.request, action);
    const refused = /\/admin\?forbidden=1(;|$)/.test(redirectTarget(response)) || (await response.text()).includes('"error":"forbidden"');
    expect(refused, `${action.door} answered ${response.status()}`).toBe(true);
  }
  expect(await fingerprint()).toEqual(before);
  // And the staff user's own pages still open (the refusals above are about the role, not a broken session).
  const home = await page.request.get("/admin", { maxRedirects: 0 });
  expect(home.status()).toBe(200);
});
