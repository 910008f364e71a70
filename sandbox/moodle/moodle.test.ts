// The Moodle emulator over HTTP: Moodle's REST form encoding, token check, users, manual
// enrolments, course lookup, exceptions shaped as Moodle's, faults and reset.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../server";
import { decodeBracketParams } from "./params";
import type { MoodleState } from "./moodle";

let sandbox: Sandbox;
const TOKEN = "tok-test-123";

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, moodle: { token: TOKEN, courses: [42, "moodle-ing-b1"] } });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function ws(wsfunction: string, params: Record<string, string> = {}, token = TOKEN): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sandbox.urls.moodle}/webservice/rest/server.php`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ wstoken: token, wsfunction, moodlewsrestformat: "json", ...params }),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

async function state(): Promise<MoodleState> {
  return (await (await fetch(`${sandbox.url}/_control/moodle/state`)).json()) as MoodleState;
}

const ana = {
  "users[0][username]": "ana.perez@correo.test",
  "users[0][firstname]": "Ana",
  "users[0][lastname]": "Pérez",
  "users[0][email]": "ana.perez@correo.test",
  "users[0][auth]": "manual",
  "users[0][createpassword]": "1",
  "users[0][idnumber]": "student-1",
};

describe("bracket parameters", () => {
  it("decodes PHP-style nested lists and objects", () => {
    expect(
      decodeBracketParams([
        ["users[0][username]", "a"],
        ["users[1][username]", "b"],
        ["values[0]", "x"],
        ["field", "email"],
      ]),
    ).toEqual({ users: [{ username: "a" }, { username: "b" }], values: ["x"], field: "email" });
  });
});

describe("Moodle web services", () => {
  it("refuses a wrong token with Moodle's invalidtoken exception", async () => {
    const res = await ws("core_user_get_users_by_field", { field: "username", "values[0]": "x" }, "wrong");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ exception: "moodle_exception", errorcode: "invalidtoken" });
  });

  it("answers an unknown function as Moodle does", async () => {
    expect((await ws("core_nope")).body).toMatchObject({ exception: "dml_missing_record_exception", errorcode: "invalidrecord" });
  });

  it("creates a user, finds it by username, email and idnumber, and refuses a duplicate username", async () => {
    const created = await ws("core_user_create_users", ana);
    expect(created.body).toEqual([{ id: expect.any(Number), username: "ana.perez@correo.test" }]);
    const [{ id }] = created.body as [{ id: number }];

    for (const [field, value] of [
      ["username", "ana.perez@correo.test"],
      ["email", "ANA.PEREZ@correo.test"],
      ["idnumber", "student-1"],
    ] as const) {
      const found = await ws("core_user_get_users_by_field", { field, "values[0]": value });
      expect(found.body).toEqual([expect.objectContaining({ id, username: "ana.perez@correo.test", firstname: "Ana", idnumber: "student-1" })]);
    }
    expect((await ws("core_user_get_users_by_field", { field: "username", "values[0]": "nobody" })).body).toEqual([]);

    const dup = await ws("core_user_create_users", ana);
    expect(dup.body).toMatchObject({
      exception: "invalid_parameter_exception",
      errorcode: "invalidparameter",
      debuginfo: expect.stringContaining("Username already exists"),
    });
    expect((await state()).users).toHaveLength(1);
  });

  it("updates a user's idnumber (linking an existing account) and refuses an unknown id", async () => {
    const [{ id }] = (await ws("core_user_create_users", { ...ana, "users[0][idnumber]": "" })).body as [{ id: number }];
    expect((await ws("core_user_update_users", { "users[0][id]": String(id), "users[0][idnumber]": "student-9" })).body).toEqual({ warnings: [] });
    expect((await ws("core_user_get_users_by_field", { field: "idnumber", "values[0]": "student-9" })).body).toEqual([expect.objectContaining({ id })]);
    expect((await ws("core_user_update_users", { "users[0][id]": "999", "users[0][idnumber]": "x" })).body).toMatchObject({ errorcode: "invalidparameter" });
  });

  it("validates usernames, required fields and passwords before creating anyone", async () => {
    const upper = await ws("core_user_create_users", { ...ana, "users[0][username]": "Ana" });
    expect(upper.body).toMatchObject({ errorcode: "invalidparameter" });
    const noPassword = await ws("core_user_create_users", { ...ana, "users[0][createpassword]": "0" });
    expect(noPassword.body).toMatchObject({ errorcode: "invalidparameter" });
    const { ["users[0][lastname]"]: _omit, ...noLastname } = ana;
    expect((await ws("core_user_create_users", noLastname)).body).toMatchObject({ errorcode: "invalidparameter" });
    // One bad user in a batch creates none (Moodle runs the call in one transaction).
    const batch = await ws("core_user_create_users", {
      ...ana,
      "users[1][username]": "BAD",
      "users[1][firstname]": "B",
      "users[1][lastname]": "C",
      "users[1][email]": "b@c.test",
      "users[1][createpassword]": "1",
    });
    expect(batch.body).toMatchObject({ errorcode: "invalidparameter" });
    expect((await state()).users).toHaveLength(0);
  });

  it("refuses a second account with the same email (allowaccountssameemail off)", async () => {
    await ws("core_user_create_users", ana);
    const sibling = await ws("core_user_create_users", { ...ana, "users[0][username]": "hermano" });
    expect(sibling.body).toMatchObject({ errorcode: "invalidparameter", debuginfo: expect.stringContaining("Email address already exists") });
  });

  it("enrols manually (idempotently), looks courses up by idnumber and lists a user's courses", async () => {
    const [{ id: userid }] = (await ws("core_user_create_users", ana)).body as [{ id: number }];
    const lookup = await ws("core_course_get_courses_by_field", { field: "idnumber", value: "moodle-ing-b1" });
    const { courses } = lookup.body as { courses: { id: number; idnumber: string }[] };
    expect(courses).toEqual([expect.objectContaining({ idnumber: "moodle-ing-b1" })]);
    const courseid = courses[0]!.id;

    const enrol = { "enrolments[0][roleid]": "5", "enrolments[0][userid]": String(userid), "enrolments[0][courseid]": String(courseid) };
    const first = await ws("enrol_manual_enrol_users", enrol);
    expect(first.body).toBeNull();
    expect((await ws("enrol_manual_enrol_users", enrol)).body).toBeNull();
    expect((await state()).enrolments).toEqual([expect.objectContaining({ userid, courseid, roleid: 5 })]);

    const mine = await ws("core_enrol_get_users_courses", { userid: String(userid) });
    expect(mine.body).toEqual([expect.objectContaining({ id: courseid, idnumber: "moodle-ing-b1" })]);
    // The numeric seed is a course too.
    expect(((await ws("core_course_get_courses_by_field", { field: "id", value: "42" })).body as { courses: unknown[] }).courses).toHaveLength(1);
  });

  it("refuses enrolments into an unknown course or for an unknown user", async () => {
    const [{ id: userid }] = (await ws("core_user_create_users", ana)).body as [{ id: number }];
    const noCourse = await ws("enrol_manual_enrol_users", {
      "enrolments[0][roleid]": "5",
      "enrolments[0][userid]": String(userid),
      "enrolments[0][courseid]": "999",
    });
    expect(noCourse.body).toMatchObject({ exception: "dml_missing_record_exception", errorcode: "invalidrecord" });
    const noUser = await ws("enrol_manual_enrol_users", { "enrolments[0][roleid]": "5", "enrolments[0][userid]": "9999", "enrolments[0][courseid]": "42" });
    expect(noUser.body).toMatchObject({ exception: "invalid_parameter_exception" });
    const badRole = await ws("enrol_manual_enrol_users", {
      "enrolments[0][roleid]": "1",
      "enrolments[0][userid]": String(userid),
      "enrolments[0][courseid]": "42",
    });
    expect(badRole.body).toMatchObject({ errorcode: "wsusercannotassign" });
    expect((await state()).enrolments).toEqual([]);
  });

  it("fails the next N calls when told to, then recovers", async () => {
    const set = await fetch(`${sandbox.url}/_control/moodle/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext: 2, mode: "http503" }),
    });
    expect(set.status).toBe(200);
    expect((await ws("core_webservice_get_site_info")).status).toBe(503);
    expect((await ws("core_webservice_get_site_info")).status).toBe(503);
    const ok = await ws("core_webservice_get_site_info");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ sitename: "Sandbox Moodle" });

    await fetch(`${sandbox.url}/_control/moodle/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext: 1, mode: "exception" }),
    });
    expect((await ws("core_webservice_get_site_info")).body).toMatchObject({ exception: "dml_read_exception" });
    expect((await ws("core_webservice_get_site_info")).status).toBe(200);
  });

  it("adds courses through the control API, shows state on the page, and reset keeps only the seeds", async () => {
    const added = await fetch(`${sandbox.url}/_control/moodle/courses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ idnumber: "moodle-fr-a1", fullname: "Francés A1" }),
    });
    expect(added.status).toBe(200);
    const again = await fetch(`${sandbox.url}/_control/moodle/courses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("moodle-fr-a1"),
    });
    expect(again.status).toBe(409);
    await ws("core_user_create_users", ana);
    const html = await (await fetch(`${sandbox.url}/_control/moodle`)).text();
    expect(html).toContain("moodle-fr-a1");
    expect(html).toContain("ana.perez@correo.test");

    expect((await fetch(`${sandbox.urls.control}/reset`, { method: "POST" })).status).toBe(200);
    const after = await state();
    expect(after.users).toEqual([]);
    expect(after.courses.map((c) => c.idnumber || String(c.id)).sort()).toEqual(["42", "moodle-ing-b1"]);
  });
});

describe("Moodle web services with autoCreateCourses", () => {
  it("creates a course the first time its idnumber is looked up", async () => {
    const auto = await startSandbox({ port: 0, env: { SANDBOX_MOODLE_AUTO_COURSES: "1" }, log: () => {} });
    try {
      const lookup = async () => {
        const res = await fetch(`${auto.urls.moodle}/webservice/rest/server.php`, {
          method: "POST",
          body: new URLSearchParams({
            wstoken: "sandbox-moodle-token",
            wsfunction: "core_course_get_courses_by_field",
            moodlewsrestformat: "json",
            field: "idnumber",
            value: "moodle-ing-c1",
          }),
        });
        return ((await res.json()) as { courses: { id: number }[] }).courses;
      };
      const first = await lookup();
      expect(first).toHaveLength(1);
      expect(await lookup()).toEqual(first);
    } finally {
      await auto.close();
    }
  });
});
