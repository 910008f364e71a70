// Every server action is a public endpoint and every staff page a door: this test lists them
// all from the source and fails when one appears without its check. Server actions are built by
// the action client (lib/actions/client.ts), which checks the session and role before anything
// else; doors open to anyone are built with publicAction and named here with the reason.
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

/** The action client's builders: staff doors (which take an access level) and public ones. */
const staffBuilders = ["staffFormAction", "staffAction"];

type Door = { id: string; name: string; builder: string; call: string; source: string };

/**
 * Each value a "use server" module exports, with the builder that makes it and the text of the
 * call. `export async function` (a door built by hand) is reported with the builder "none".
 */
function exportedDoors(file: string, source: string): Door[] {
  const starts = [...source.matchAll(/^export (?:const (\w+) = (\w+)(?:<[^(]*>)?\(|async function (\w+)|function (\w+))/gm)];
  return starts.map((match, i) => {
    const name = match[1] ?? match[3] ?? match[4]!;
    return {
      id: `${relative(file)}#${name}`,
      name,
      builder: match[2] ?? "none",
      call: source.slice(match.index, starts[i + 1]?.index ?? source.length),
      source,
    };
  });
}

/** The access a local wrapper (built on a staff builder) is given: a literal in its definition or in the call. */
function accessOf(door: Door): string | undefined {
  const literal = (text: string) => /access: "(staff|admin|account)"/.exec(text)?.[1] ?? /\(\s*"[^"]*",\s*"(staff|admin|account)"/.exec(text)?.[1];
  if (door.builder === "staffAction") return /staffAction\(\s*"(staff|admin|account)"/.exec(door.call)?.[1];
  if (door.builder === "staffFormAction") return literal(door.call);
  const wrapper = new RegExp(`function ${door.builder}\\b[\\s\\S]*?\\n}\\n`).exec(door.source)?.[0] ?? "";
  if (!staffBuilders.some((builder) => wrapper.includes(`${builder}`))) return undefined;
  return /access: "(staff|admin|account)"/.exec(wrapper)?.[1] ?? literal(door.call);
}

const serverActionFiles = [
  ...filesUnder(path.join(root, "app"), (f) => /\.tsx?$/.test(f)),
  ...filesUnder(path.join(root, "components"), (f) => /\.tsx?$/.test(f)),
]
  .filter((file) => !file.endsWith(".test.ts"))
  .filter((file) => /^["']use server["'];?/m.test(readFileSync(file, "utf8")));

describe("server actions", () => {
  const doors = serverActionFiles.flatMap((file) => exportedDoors(file, readFileSync(file, "utf8")));

  it("are found (the scan works), and the check can fail", () => {
    expect(doors.map((d) => d.id)).toEqual(expect.arrayContaining(Object.keys(publicActions)));
    expect(doors.length).toBeGreaterThan(Object.keys(publicActions).length + 20);
    const byHand = exportedDoors("x.ts", `export async function open() {}\nexport const wrapped = local(1);\nfunction local() {}\n`);
    expect(byHand.map((d) => [d.builder, accessOf(d)])).toEqual([
      ["none", undefined],
      ["local", undefined],
    ]);
  });

  it("are each built by the action client: a module imports it, and exports nothing built by hand", () => {
    for (const file of serverActionFiles) expect(readFileSync(file, "utf8"), relative(file)).toMatch(/from "@\/lib\/actions\/client"/);
    expect(doors.filter((d) => d.builder === "none").map((d) => d.id)).toEqual([]);
  });

  it("each check the staff session with a declared access, unless named here as a public door", () => {
    const publicDoors = doors.filter((d) => d.builder === "publicAction").map((d) => d.id);
    expect(publicDoors.sort()).toEqual(Object.keys(publicActions).sort());
    const unchecked = doors.filter((d) => d.builder !== "publicAction" && accessOf(d) === undefined).map((d) => d.id);
    expect(unchecked).toEqual([]);
  });

  it("that change money or people's accounts ask for the admin role (refund, cancel, users, settings, returning a payment)", () => {
    const admin = (id: string) => {
      const door = doors.find((d) => d.id === id);
      expect(door, id).toBeDefined();
      return accessOf(door!);
    };
    for (const name of ["refundAction", "cancelReceiptAction"]) expect(admin(`app/admin/(dashboard)/receipts/[id]/actions.ts#${name}`), name).toBe("admin");
    expect(admin("app/admin/(dashboard)/attention/actions.ts#refundExtraPaymentAction")).toBe("admin");
    for (const door of doors.filter((d) => /\/(users|settings)\/actions\.ts#/.test(d.id))) expect(accessOf(door), door.id).toBe("admin");
    expect(doors.filter((d) => /\/users\/actions\.ts#/.test(d.id)).length).toBeGreaterThanOrEqual(4);
  });
});

describe("user management", () => {
  it("asks for the admin role on the page", () => {
    expect(readFileSync(path.join(root, "app/admin/(dashboard)/users/page.tsx"), "utf8")).toMatch(/await requireStaff\("admin"\)/);
  });
});

describe("the action client", () => {
  const client = readFileSync(path.join(root, "lib/actions/client.ts"), "utf8");
  it("checks the session before reading the input, and refuses a missing role with one answer", () => {
    const formAction = /export function staffFormAction[\s\S]*?\n}\n/.exec(client)?.[0] ?? "";
    expect(formAction.indexOf("await requireStaff(")).toBeGreaterThan(0);
    expect(formAction.indexOf("await requireStaff(")).toBeLessThan(formAction.indexOf("safeParse("));
    expect(formAction).toMatch(/spec\.access === "admin" && user\.role !== "admin"\) return failure<Code>\("forbidden"\)/);
    const staffAction = /export function staffAction[\s\S]*?\n}\n/.exec(client)?.[0] ?? "";
    expect(staffAction.indexOf("await requireStaff(")).toBeGreaterThan(0);
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
    m[1]!
      .split(",")
      .map((part) =>
        part
          .trim()
          .split(/\s+as\s+/)
          .pop()!,
      )
      .filter((name) => new RegExp(`^(${verbs})$`).test(name)),
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
      uncheckedMethods(
        `export async function GET() {\n  await requireStaff();\n  return new Response("x");\n}\nexport async function DELETE() {\n  return new Response("x");\n}\n`,
      ),
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
