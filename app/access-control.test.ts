// Every server action is a public endpoint and every staff page a door: this test lists them
// all from the source and fails when one appears without its check. Public doors are named
// here with the reason they need no session; anything else must authenticate with
// requireStaff (directly, or through the receipt actions' runAction wrapper, which calls it).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function filesUnder(dir: string, accept: (file: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : filesUnder(full, accept);
    return accept(full) ? [full] : [];
  });
}

/** Exported functions of a module and the text of each body (up to the next top-level export). */
function exportedFunctions(source: string): { name: string; body: string }[] {
  const matches = [...source.matchAll(/^export async function (\w+)/gm)];
  return matches.map((match, i) => ({ name: match[1]!, body: source.slice(match.index, matches[i + 1]?.index ?? source.length) }));
}

const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");

/** Doors open to anyone, each with why. */
const publicActions: Record<string, string> = {
  "app/admin/sign-in/actions.ts#signInAction": "signing in is how a session starts",
  "components/locale-switcher/actions.ts#setLocale": "only sets the visitor's language cookie",
  "app/(public)/inscripcion/actions.ts#submitEnrollmentAction": "the public enrollment form, validated with the wizard schema",
  "app/(public)/pay/actions.ts#startPaymentAction": "capability: a payment-link token or an attempt id",
  "app/(public)/pay/actions.ts#createPaypalOrderAction": "capability: a payment-link token or an attempt id",
  "app/(public)/pay/actions.ts#capturePaypalOrderAction": "capability: an attempt id; only asks the provider",
  "app/admin/(dashboard)/actions.ts#signOutAction": "signing out needs no check",
};

const serverActionFiles = [...filesUnder(path.join(root, "app"), (f) => /\.tsx?$/.test(f)), ...filesUnder(path.join(root, "components"), (f) => /\.tsx?$/.test(f))]
  .filter((file) => !file.endsWith(".test.ts"))
  .filter((file) => /^["']use server["'];?/m.test(readFileSync(file, "utf8")));

describe("server actions", () => {
  const actions = serverActionFiles.flatMap((file) => {
    const source = readFileSync(file, "utf8");
    return exportedFunctions(source).map((fn) => ({ id: `${relative(file)}#${fn.name}`, ...fn, source }));
  });

  it("are found (the scan works)", () => {
    expect(actions.map((a) => a.id)).toEqual(expect.arrayContaining(Object.keys(publicActions)));
    expect(actions.length).toBeGreaterThan(Object.keys(publicActions).length);
  });

  it("each check the staff session, unless named as a public door", () => {
    const unchecked = actions
      .filter((action) => !(action.id in publicActions))
      .filter((action) => !/\brequireStaff\(/.test(action.body) && !/\brunAction\(/.test(action.body))
      .map((action) => action.id);
    expect(unchecked).toEqual([]);
  });

  it("that go through runAction get requireStaff from it", () => {
    for (const action of actions.filter((a) => /\brunAction\(/.test(a.body))) {
      const wrapper = /async function runAction[\s\S]*?\n}\n/.exec(action.source)?.[0] ?? "";
      expect(wrapper, action.id).toMatch(/await requireStaff\(\)/);
    }
  });

  it("that change money or receipts ask for the admin role where the issue says (refund, cancel)", () => {
    const receiptActions = readFileSync(path.join(root, "app/admin/(dashboard)/receipts/[id]/actions.ts"), "utf8");
    for (const name of ["refundAction", "cancelReceiptAction"]) {
      const body = exportedFunctions(receiptActions).find((fn) => fn.name === name)?.body ?? "";
      expect(body, name).toMatch(/runAction\([^)]*"admin"/);
    }
  });
});

describe("user management", () => {
  it("asks for the admin role in every action and on the page", () => {
    const dir = path.join(root, "app/admin/(dashboard)/users");
    const actions = exportedFunctions(readFileSync(path.join(dir, "actions.ts"), "utf8"));
    expect(actions.length).toBeGreaterThanOrEqual(4);
    for (const action of actions) expect(action.body, action.name).toMatch(/await requireStaff\("admin"\)/);
    expect(readFileSync(path.join(dir, "page.tsx"), "utf8")).toMatch(/await requireStaff\("admin"\)/);
  });
});

describe("staff pages", () => {
  const pages = filesUnder(path.join(root, "app/admin/(dashboard)"), (f) => /page\.tsx$/.test(f));

  it("each check the session themselves (proxy.ts only redirects)", () => {
    expect(pages.length).toBeGreaterThan(0);
    const unchecked = pages.filter((file) => !/\brequireStaff\(/.test(readFileSync(file, "utf8"))).map(relative);
    expect(unchecked).toEqual([]);
  });
});

/**
 * The HTTP methods a route handler module exports, each with the text of its body, and whether
 * every export could be read: `export { GET }` or `export const GET = wrap(...)` hide the body,
 * so they count as unchecked rather than as passed.
 */
function routeMethods(source: string): { name: string; body: string; readable: boolean }[] {
  const verbs = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS";
  const starts = [...source.matchAll(new RegExp(`^export\\s+(?:async\\s+)?(function|const|let|var)\\s+(${verbs})\\b`, "gm"))];
  const bodies = starts.map((match, i) => ({
    name: match[2]!,
    body: source.slice(match.index, starts[i + 1]?.index ?? source.length),
    readable: match[1] === "function",
  }));
  const reExported = [...source.matchAll(/^export\s*\{([^}]*)\}/gm)].flatMap((m) =>
    m[1]!.split(",").map((part) => part.trim().split(/\s+as\s+/).pop()!).filter((name) => new RegExp(`^(${verbs})$`).test(name)),
  );
  return [...bodies, ...reExported.map((name) => ({ name, body: "", readable: false }))];
}

function uncheckedMethods(source: string): string[] {
  return routeMethods(source)
    .filter((method) => !method.readable || !/\bawait requireStaff\(/.test(method.body))
    .map((method) => method.name);
}

describe("staff route handlers", () => {
  const handlers = filesUnder(path.join(root, "app/admin"), (f) => /[\\/]route\.tsx?$/.test(f));

  it("are found (the scan works), and the check can fail", () => {
    expect(handlers.map(relative)).toContain("app/admin/(dashboard)/receipts/[id]/pdf/route.ts");
    expect(uncheckedMethods(`export async function GET() {\n  return new Response("open");\n}\n`)).toEqual(["GET"]);
    expect(uncheckedMethods(`export const POST = async () => new Response("open");\n`)).toEqual(["POST"]);
    expect(uncheckedMethods(`async function handler() { await requireStaff(); }\nexport { handler as GET };\n`)).toEqual(["GET"]);
    expect(
      uncheckedMethods(`export async function GET() {\n  await requireStaff();\n  return new Response("x");\n}\nexport async function DELETE() {\n  return new Response("x");\n}\n`),
    ).toEqual(["DELETE"]);
  });

  it("each check the staff session in every method they export (proxy.ts only redirects)", () => {
    const unchecked = handlers.flatMap((file) => uncheckedMethods(readFileSync(file, "utf8")).map((name) => `${relative(file)}#${name}`));
    expect(unchecked).toEqual([]);
  });
});

// CSRF: a staff session is a cookie, so anything a staff session can change must be a server
// action, which Next.js refuses when its Origin is not this site (e2e/security.spec.ts shows it).
// Route handlers under /admin only read; the API and cron routes take bearer tokens, not cookies.
describe("state changes by staff", () => {
  const handlers = filesUnder(path.join(root, "app/admin"), (f) => /[\\/]route\.tsx?$/.test(f));

  it("go through server actions: no route handler under /admin takes POST, PUT, PATCH or DELETE", () => {
    const writers = handlers.flatMap((file) =>
      routeMethods(readFileSync(file, "utf8"))
        .filter((method) => method.name !== "GET" && method.name !== "HEAD")
        .map((method) => `${relative(file)}#${method.name}`),
    );
    expect(handlers.length).toBeGreaterThan(0);
    expect(writers).toEqual([]);
  });
});
