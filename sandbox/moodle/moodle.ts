// Moodle web-service emulator: `POST /moodle/webservice/rest/server.php` with `wstoken`,
// `wsfunction`, `moodlewsrestformat=json` and bracket parameters, answering as Moodle 4.x does
// (HTTP 200 with an exception object on errors). Enough for the campus adapter: users, manual
// enrolments and course lookup, plus a control API (state, courses, faults) under /_control/moodle.
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { SandboxContext } from "../shared/context";
import { escapeHtml, formFields, page, sendHtml, sendJson, sendText, type Request, type Router } from "../shared/http";
import { decodeBracketParams, listParam, objectParam, stringParam, type ParamObject } from "./params";

export const MOODLE_PREFIX = "/moodle";
export const MOODLE_CONTROL_PREFIX = "/_control/moodle";
export const DEFAULT_MOODLE_TOKEN = "sandbox-moodle-token";
/** Moodle's default role ids; the adapter enrols with 5 (student). */
const ASSIGNABLE_ROLES = new Set([3, 4, 5]);

export type MoodleCourseSeed = number | string | { id?: number; idnumber?: string; shortname?: string; fullname?: string };

export type MoodleOptions = {
  /** The only accepted `wstoken`. Default SANDBOX_MOODLE_TOKEN, then MOODLE_TOKEN, then "sandbox-moodle-token". */
  token?: string;
  /**
   * Courses present from the start (and again after a reset): a number is a course id, a string
   * an idnumber (e.g. "moodle-ing-b1", what `courses.campus_course_id` holds). Default: the
   * comma-separated SANDBOX_MOODLE_COURSES.
   */
  courses?: MoodleCourseSeed[];
  /** Moodle's `allowaccountssameemail` (default off, as in Moodle): a second user with one email is refused. */
  allowAccountsSameEmail?: boolean;
  /**
   * Dev convenience (default SANDBOX_MOODLE_AUTO_COURSES=1, else off): looking up an unknown
   * idnumber creates the course, so any `campus_course_id` works without seeding. Off in tests
   * that check an unmapped course fails.
   */
  autoCreateCourses?: boolean;
};

export type MoodleUser = {
  id: number;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  idnumber: string;
  auth: string;
  /** "generated" (createpassword=1: Moodle mails one) or "given"; the password itself is not kept. */
  password: "generated" | "given";
  timecreated: number;
  /** Suspended users cannot log in (core_user_update_users with suspended=1). */
  suspended?: boolean;
};
export type MoodleCourse = { id: number; idnumber: string; shortname: string; fullname: string };
export type MoodleEnrolment = { userid: number; courseid: number; roleid: number; timecreated: number };
/** The next `failNext` calls (of `wsfunction` only, when given) fail with an HTTP 503 or a Moodle exception. */
export type MoodleFaults = { failNext: number; mode: "http503" | "exception"; wsfunction?: string };
export type MoodleCall = { at: string; wsfunction: string; outcome: string };

export type MoodleState = {
  users: MoodleUser[];
  courses: MoodleCourse[];
  enrolments: MoodleEnrolment[];
  faults: MoodleFaults;
  calls: MoodleCall[];
};

export type MoodleModule = {
  register: (router: Router) => void;
  reset: () => void;
  state: () => MoodleState;
};

class MoodleException extends Error {
  constructor(
    readonly exception: string,
    readonly errorcode: string,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }

  body(): Record<string, string> {
    return {
      exception: this.exception,
      errorcode: this.errorcode,
      message: this.message,
      ...(this.debuginfo ? { debuginfo: this.debuginfo } : {}),
    };
  }
}

const invalidParameter = (debuginfo: string) =>
  new MoodleException("invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected", debuginfo);

const courseSeedSchema = z.union([
  z.number().int().positive(),
  z.string().min(1),
  z.object({
    id: z.number().int().positive().optional(),
    idnumber: z.string().optional(),
    shortname: z.string().optional(),
    fullname: z.string().optional(),
  }),
]);
const faultsSchema = z.object({
  failNext: z.coerce.number().int().min(0).max(1000),
  mode: z.enum(["http503", "exception"]).default("http503"),
  wsfunction: z.string().min(1).optional(),
});

/** Moodle's PARAM_USERNAME: lower case letters, digits and `_ - . @`. */
const USERNAME_RE = /^[a-z0-9_.@-]+$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createMoodle(ctx: SandboxContext, options: MoodleOptions = {}, env: Record<string, string | undefined> = process.env): MoodleModule {
  const token = options.token ?? (env.SANDBOX_MOODLE_TOKEN?.trim() || env.MOODLE_TOKEN?.trim() || DEFAULT_MOODLE_TOKEN);
  const seeds: MoodleCourseSeed[] =
    options.courses ??
    (env.SANDBOX_MOODLE_COURSES ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const allowSameEmail = options.allowAccountsSameEmail ?? false;
  const autoCreateCourses = options.autoCreateCourses ?? env.SANDBOX_MOODLE_AUTO_COURSES?.trim() === "1";

  const users = new Map<number, MoodleUser>();
  const courses = new Map<number, MoodleCourse>();
  const enrolments = new Map<string, MoodleEnrolment>();
  const calls: MoodleCall[] = [];
  let faults: MoodleFaults = { failNext: 0, mode: "http503" };
  // Ids 1 and 2 are Moodle's site course and admin user; ours start after them.
  let nextUserId = 3;
  let nextCourseId = 2;

  const now = () => Math.floor(Date.now() / 1000);

  function addCourse(seed: MoodleCourseSeed): MoodleCourse {
    const spec = typeof seed === "number" ? { id: seed } : typeof seed === "string" ? { idnumber: seed } : seed;
    if (spec.id !== undefined && (spec.id === 1 || courses.has(spec.id))) throw new Error(`course id ${spec.id} is taken`);
    if (spec.idnumber && [...courses.values()].some((c) => c.idnumber === spec.idnumber)) {
      throw new Error(`course idnumber ${spec.idnumber} is taken`);
    }
    const id = spec.id ?? nextCourseId;
    nextCourseId = Math.max(nextCourseId, id + 1);
    const shortname = spec.shortname ?? (spec.idnumber || `course-${id}`);
    const course: MoodleCourse = { id, idnumber: spec.idnumber ?? "", shortname, fullname: spec.fullname ?? shortname };
    courses.set(id, course);
    return course;
  }

  function reset(): void {
    users.clear();
    courses.clear();
    enrolments.clear();
    calls.length = 0;
    faults = { failNext: 0, mode: "http503" };
    nextUserId = 3;
    nextCourseId = 2;
    for (const seed of seeds) addCourse(seed);
  }
  reset();

  function publicUser(u: MoodleUser) {
    return {
      id: u.id,
      username: u.username,
      firstname: u.firstname,
      lastname: u.lastname,
      fullname: `${u.firstname} ${u.lastname}`,
      email: u.email,
      idnumber: u.idnumber,
      auth: u.auth,
      suspended: u.suspended ?? false,
      confirmed: true,
      lang: "es",
      firstaccess: 0,
      lastaccess: 0,
    };
  }

  function publicCourse(c: MoodleCourse) {
    return {
      id: c.id,
      fullname: c.fullname,
      displayname: c.fullname,
      shortname: c.shortname,
      idnumber: c.idnumber,
      categoryid: 1,
      visible: 1,
      format: "topics",
    };
  }

  function intField(obj: ParamObject, key: string, where: string): number {
    const raw = stringParam(obj[key]);
    if (raw === undefined || !/^\d+$/.test(raw)) throw invalidParameter(`${where} => Invalid parameter value detected: ${key} => Missing or not an integer`);
    return Number(raw);
  }

  function textField(obj: ParamObject, key: string, where: string, required: boolean): string {
    const raw = stringParam(obj[key]);
    if (raw === undefined || raw.trim() === "") {
      if (required) throw invalidParameter(`${where} => Invalid parameter value detected: Missing required key in single structure: ${key}`);
      return "";
    }
    return raw;
  }

  const functions: Record<string, (params: ParamObject) => unknown> = {
    core_webservice_get_site_info: () => ({
      sitename: "Sandbox Moodle",
      username: "wsuser",
      userid: 2,
      siteurl: `${ctx.baseUrl()}${MOODLE_PREFIX}`,
      release: "4.5 (sandbox)",
      functions: Object.keys(functions).map((name) => ({ name, version: "2024100700" })),
    }),

    core_user_create_users: (params) => {
      const list = listParam(params, "users");
      if (!list || list.length === 0) throw invalidParameter("users => Invalid parameter value detected: Only arrays accepted.");
      // Validate every user before creating any: Moodle runs the call in one transaction.
      const pending: Omit<MoodleUser, "id" | "timecreated">[] = list.map((entry, i) => {
        const u = objectParam(entry);
        const where = `users => ${i}`;
        if (!u) throw invalidParameter(`${where} => Only arrays accepted.`);
        const username = textField(u, "username", where, true);
        if (!USERNAME_RE.test(username)) throw invalidParameter(`The username must be in lower case and contain only letters, digits, _ - . @ (${username})`);
        if ([...users.values()].some((x) => x.username === username)) throw invalidParameter(`Username already exists: ${username}`);
        const email = textField(u, "email", where, true);
        if (!EMAIL_RE.test(email)) throw invalidParameter(`Email address is invalid: ${email}`);
        if (!allowSameEmail && [...users.values()].some((x) => x.email.toLowerCase() === email.toLowerCase())) {
          throw invalidParameter(`Email address already exists: ${email}`);
        }
        const createPassword = stringParam(u.createpassword) === "1";
        const given = stringParam(u.password);
        if (!createPassword && (given === undefined || given === ""))
          throw invalidParameter("Invalid password: you must provide a password, or set createpassword.");
        return {
          username,
          firstname: textField(u, "firstname", where, true),
          lastname: textField(u, "lastname", where, true),
          email,
          idnumber: textField(u, "idnumber", where, false),
          auth: textField(u, "auth", where, false) || "manual",
          password: createPassword ? "generated" : "given",
        };
      });
      const usernames = new Set(pending.map((p) => p.username));
      if (usernames.size !== pending.length) throw invalidParameter("Username already exists (twice in this request)");
      return pending.map((p) => {
        const user: MoodleUser = { ...p, id: nextUserId++, timecreated: now() };
        users.set(user.id, user);
        return { id: user.id, username: user.username };
      });
    },

    core_user_update_users: (params) => {
      const list = listParam(params, "users");
      if (!list || list.length === 0) throw invalidParameter("users => Invalid parameter value detected: Only arrays accepted.");
      const updates = list.map((entry, i) => {
        const u = objectParam(entry);
        if (!u) throw invalidParameter(`users => ${i} => Only arrays accepted.`);
        const id = intField(u, "id", `users => ${i}`);
        const user = users.get(id);
        if (!user) throw invalidParameter(`Invalid user id: ${id}`);
        const next: MoodleUser = { ...user };
        for (const key of ["firstname", "lastname", "email", "idnumber", "auth"] as const) {
          const v = stringParam(u[key]);
          if (v !== undefined) next[key] = v;
        }
        const suspended = stringParam(u.suspended);
        if (suspended !== undefined) next.suspended = suspended === "1";
        const username = stringParam(u.username);
        if (username !== undefined) {
          if (!USERNAME_RE.test(username)) throw invalidParameter(`The username must be in lower case (${username})`);
          if ([...users.values()].some((x) => x.id !== id && x.username === username)) throw invalidParameter(`Username already exists: ${username}`);
          next.username = username;
        }
        return next;
      });
      for (const u of updates) users.set(u.id, u);
      return { warnings: [] };
    },

    core_user_get_users_by_field: (params) => {
      const field = stringParam(params.field);
      if (field === undefined || !["id", "idnumber", "username", "email"].includes(field))
        throw invalidParameter(`field => Invalid parameter value detected: ${field ?? "(missing)"}`);
      const values = (listParam(params, "values") ?? []).map((v) => stringParam(v) ?? "");
      const matches = [...users.values()].filter((u) =>
        values.some((v) => {
          switch (field) {
            case "id":
              return String(u.id) === v;
            case "email":
              return u.email.toLowerCase() === v.toLowerCase();
            case "username":
              return u.username === v;
            default:
              return v !== "" && u.idnumber === v;
          }
        }),
      );
      return matches.map(publicUser);
    },

    enrol_manual_enrol_users: (params) => {
      const list = listParam(params, "enrolments");
      if (!list || list.length === 0) throw invalidParameter("enrolments => Invalid parameter value detected: Only arrays accepted.");
      const parsed = list.map((entry, i) => {
        const e = objectParam(entry);
        const where = `enrolments => ${i}`;
        if (!e) throw invalidParameter(`${where} => Only arrays accepted.`);
        return { roleid: intField(e, "roleid", where), userid: intField(e, "userid", where), courseid: intField(e, "courseid", where) };
      });
      for (const e of parsed) {
        if (!courses.has(e.courseid)) {
          throw new MoodleException(
            "dml_missing_record_exception",
            "invalidrecord",
            "Can't find data record in database table course.",
            `courseid ${e.courseid}`,
          );
        }
        if (!ASSIGNABLE_ROLES.has(e.roleid)) {
          throw new MoodleException(
            "moodle_exception",
            "wsusercannotassign",
            `You don't have the permission to assign this role (${e.roleid}) to this user (${e.userid}) in this course (${e.courseid}).`,
          );
        }
        if (!users.has(e.userid)) throw invalidParameter(`Invalid user id: ${e.userid}`);
      }
      // Enrolling someone already enrolled just updates the enrolment, as enrol_user() does.
      for (const e of parsed) {
        const key = `${e.courseid}:${e.userid}`;
        const existing = enrolments.get(key);
        enrolments.set(key, { ...e, timecreated: existing?.timecreated ?? now() });
      }
      return null;
    },

    core_course_get_courses_by_field: (params) => {
      const field = stringParam(params.field) ?? "";
      const value = stringParam(params.value) ?? "";
      let list = [...courses.values()];
      switch (field) {
        case "":
          break;
        case "id":
          list = list.filter((c) => String(c.id) === value);
          break;
        case "ids": {
          const ids = value.split(",").map((s) => s.trim());
          list = list.filter((c) => ids.includes(String(c.id)));
          break;
        }
        case "shortname":
          list = list.filter((c) => c.shortname === value);
          break;
        case "idnumber":
          list = list.filter((c) => value !== "" && c.idnumber === value);
          if (list.length === 0 && value !== "" && autoCreateCourses) list = [addCourse(value)];
          break;
        case "category":
          list = value === "1" ? list : [];
          break;
        default:
          throw invalidParameter(`field => Invalid parameter value detected: ${field}`);
      }
      return { courses: list.map(publicCourse), warnings: [] };
    },

    core_enrol_get_users_courses: (params) => {
      const userid = intField(params, "userid", "userid");
      return [...enrolments.values()]
        .filter((e) => e.userid === userid)
        .flatMap((e) => {
          const c = courses.get(e.courseid);
          return c ? [publicCourse(c)] : [];
        });
    },
  };

  function record(wsfunction: string, outcome: string): void {
    calls.push({ at: new Date().toISOString(), wsfunction, outcome });
    if (calls.length > 200) calls.shift();
  }

  function answer(res: ServerResponse, format: string, body: unknown): void {
    if (format === "json") return sendJson(res, 200, body);
    // Moodle's default format is XML; the adapter always asks for JSON, so only errors are shaped here.
    const text =
      typeof body === "object" && body !== null && "exception" in body
        ? `<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="${escapeHtml(String(body.exception))}"><MESSAGE>${escapeHtml(JSON.stringify(body))}</MESSAGE></EXCEPTION>\n`
        : `<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE><SINGLE><KEY name="json"><VALUE>${escapeHtml(JSON.stringify(body))}</VALUE></KEY></SINGLE></RESPONSE>\n`;
    sendText(res, 200, text, "application/xml; charset=utf-8");
  }

  function handleRest(req: Request, res: ServerResponse): void {
    // PHP merges the query string and the form body; the body wins.
    const fields = [...req.query.entries(), ...new URLSearchParams(req.rawBody.toString("utf8")).entries()];
    const params = decodeBracketParams(fields);
    const format = stringParam(params.moodlewsrestformat) ?? "xml";
    const wsfunction = stringParam(params.wsfunction) ?? "";
    if (faults.failNext > 0 && (faults.wsfunction === undefined || faults.wsfunction === wsfunction)) {
      faults = { ...faults, failNext: faults.failNext - 1 };
      record(wsfunction, `fault:${faults.mode}`);
      if (faults.mode === "http503") return sendText(res, 503, "Service Unavailable (sandbox fault)");
      return answer(res, format, new MoodleException("dml_read_exception", "dmlreadexception", "Error reading from database", "sandbox fault").body());
    }
    if (stringParam(params.wstoken) !== token) {
      record(wsfunction, "invalidtoken");
      return answer(res, format, new MoodleException("moodle_exception", "invalidtoken", "Invalid token - token not found").body());
    }
    const fn = functions[wsfunction];
    if (!fn) {
      record(wsfunction, "invalidrecord");
      return answer(
        res,
        format,
        new MoodleException("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table external_functions.").body(),
      );
    }
    try {
      const result = fn(params);
      record(wsfunction, "ok");
      answer(res, format, result);
    } catch (error) {
      if (!(error instanceof MoodleException)) throw error;
      record(wsfunction, error.errorcode);
      answer(res, format, error.body());
    }
  }

  function state(): MoodleState {
    return {
      users: [...users.values()],
      courses: [...courses.values()],
      enrolments: [...enrolments.values()],
      faults: { ...faults },
      calls: [...calls],
    };
  }

  function readJson(req: Request): unknown {
    if (req.rawBody.length === 0) return {};
    const type = req.headers["content-type"] ?? "";
    if (type.includes("application/x-www-form-urlencoded")) return formFields(req.rawBody);
    try {
      return JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return undefined;
    }
  }

  function controlPage(): string {
    const courseRows = [...courses.values()]
      .map((c) => `<tr><td>${c.id}</td><td>${escapeHtml(c.idnumber)}</td><td>${escapeHtml(c.shortname)}</td></tr>`)
      .join("");
    const userRows = [...users.values()]
      .map(
        (u) =>
          `<tr><td>${u.id}</td><td>${escapeHtml(u.username)}</td><td>${escapeHtml(`${u.firstname} ${u.lastname}`)}</td><td>${escapeHtml(u.email)}</td><td>${escapeHtml(u.idnumber)}</td></tr>`,
      )
      .join("");
    const enrolRows = [...enrolments.values()]
      .map(
        (e) =>
          `<tr><td>${e.userid}</td><td>${escapeHtml(users.get(e.userid)?.username ?? "?")}</td><td>${e.courseid}</td><td>${escapeHtml(courses.get(e.courseid)?.idnumber ?? "")}</td><td>${e.roleid}</td></tr>`,
      )
      .join("");
    const callRows = [...calls]
      .reverse()
      .slice(0, 50)
      .map((c) => `<tr><td>${c.at}</td><td>${escapeHtml(c.wsfunction)}</td><td>${escapeHtml(c.outcome)}</td></tr>`)
      .join("");
    return page(
      "Sandbox Moodle",
      `<h1>Sandbox Moodle</h1><p>Web service: <code>${escapeHtml(ctx.baseUrl())}${MOODLE_PREFIX}/webservice/rest/server.php</code>
(MOODLE_URL=<code>${escapeHtml(ctx.baseUrl())}${MOODLE_PREFIX}</code>). Faults: next ${faults.failNext} call(s)${faults.wsfunction ? ` to ${escapeHtml(faults.wsfunction)}` : ""} fail (${faults.mode}).</p>
<h2>Courses</h2><table id="moodle-courses"><tr><th>Id</th><th>Idnumber</th><th>Short name</th></tr>${courseRows}</table>
<h2>Users</h2><table id="moodle-users"><tr><th>Id</th><th>Username</th><th>Name</th><th>Email</th><th>Idnumber</th></tr>${userRows}</table>
<h2>Enrolments</h2><table id="moodle-enrolments"><tr><th>User id</th><th>Username</th><th>Course id</th><th>Course idnumber</th><th>Role</th></tr>${enrolRows}</table>
<h2>Recent calls</h2><table id="moodle-calls"><tr><th>At</th><th>Function</th><th>Outcome</th></tr>${callRows}</table>`,
    );
  }

  function register(router: Router): void {
    router.post(`${MOODLE_PREFIX}/webservice/rest/server.php`, handleRest);
    router.get(`${MOODLE_PREFIX}/webservice/rest/server.php`, handleRest);
    router.get(MOODLE_CONTROL_PREFIX, (_req, res) => sendHtml(res, 200, controlPage()));
    router.get(`${MOODLE_CONTROL_PREFIX}/state`, (_req, res) => sendJson(res, 200, state()));
    router.post(`${MOODLE_CONTROL_PREFIX}/reset`, (_req, res) => {
      reset();
      sendJson(res, 200, { ok: true });
    });
    router.post(`${MOODLE_CONTROL_PREFIX}/courses`, (req, res) => {
      const parsed = courseSeedSchema.safeParse(readJson(req));
      if (!parsed.success) return sendJson(res, 400, { error: "body must be a course id, an idnumber or { id?, idnumber?, shortname?, fullname? }" });
      try {
        sendJson(res, 200, addCourse(parsed.data));
      } catch (error) {
        sendJson(res, 409, { error: error instanceof Error ? error.message : String(error) });
      }
    });
    router.post(`${MOODLE_CONTROL_PREFIX}/faults`, (req, res) => {
      const parsed = faultsSchema.safeParse(readJson(req));
      if (!parsed.success) return sendJson(res, 400, { error: 'body must be { "failNext": N, "mode": "http503" | "exception", "wsfunction"?: name }' });
      faults = parsed.data;
      sendJson(res, 200, faults);
    });
  }

  return { register, reset, state };
}
