// Settings are for admins only (issue #7): every settings action asks for the admin role before
// it reads a single field, and every settings page (and the layout) asks for it too. The
// project-wide access test checks for a session; this one checks for the role.
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
  it('actions each start with requireStaff("admin")', () => {
    const source = readFileSync(path.join(dir, "actions.ts"), "utf8");
    const actions = [...source.matchAll(/^export async function (\w+)\([^)]*\)[^{]*\{\n(.*)$/gm)].map((m) => ({ name: m[1], first: m[2]?.trim() }));
    // Every exported function was read (none escaped the pattern), and there are all 13.
    expect(actions.length).toBe(source.match(/^export async function /gm)?.length);
    expect(actions.length).toBe(13);
    const wrong = actions.filter((a) => a.first !== 'const user = await requireStaff("admin");').map((a) => a.name);
    expect(wrong).toEqual([]);
  });

  it("pages and the layout each ask for the admin role", () => {
    const doors = files(dir).filter((f) => /(page|layout)\.tsx$/.test(f));
    expect(doors.length).toBeGreaterThanOrEqual(12);
    const missing = doors.filter((f) => !readFileSync(f, "utf8").includes('await requireStaff("admin")')).map((f) => path.relative(dir, f));
    expect(missing).toEqual([]);
  });
});
