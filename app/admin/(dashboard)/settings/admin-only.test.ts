// Settings are for admins only: every settings action is built by the one helper that asks the
// action client for the admin role before a single field is read, and every settings page (and
// the layout) asks for the role too.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const dir = import.meta.dirname;

function files(under: string): string[] {
  return readdirSync(under).flatMap((name) => {
    const full = path.join(under, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

describe("settings", () => {
  it('actions are each built by settingsAction, which asks for the "admin" access', () => {
    const source = readFileSync(path.join(dir, "actions.ts"), "utf8");
    const exported = source.match(/^export /gm)?.length;
    const built = [...source.matchAll(/^export const (\w+) = settingsAction\(/gm)].map((m) => m[1]);
    // Every export is one of them, and there are all 13.
    expect(built.length).toBe(exported);
    expect(built.length).toBe(13);
    const helper = /function settingsAction\b[\s\S]*?\n}\n/.exec(source)?.[0] ?? "";
    expect(helper).toMatch(/staffFormAction<[^>]*>\(\{ access: "admin",/);
  });

  it("pages and the layout each ask for the admin role", () => {
    const doors = files(dir).filter((f) => /(page|layout)\.tsx$/.test(f));
    expect(doors.length).toBeGreaterThanOrEqual(12);
    const missing = doors.filter((f) => !readFileSync(f, "utf8").includes('await requireStaff("admin")')).map((f) => path.relative(dir, f));
    expect(missing).toEqual([]);
  });
});
