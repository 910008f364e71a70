// Moodle adapter: web-service REST calls (`/webservice/rest/server.php`, form-encoded with PHP
// bracket parameters, JSON answers). Find-or-create the user, then manual enrolment (student
// role) in each mapped course. Every step is idempotent, so a retry after a partial failure
// finishes the job without duplicating anything.
import { z } from "zod";
import { CampusError, type CampusCourse, type CampusProvisioner, type CampusStudent, type ProvisionRequest, type ProvisionResult } from "./types";

export type MoodleConfig = {
  /** Site root, e.g. https://campus.academia.es (the sandbox: http://127.0.0.1:4010/moodle). */
  url: string;
  token: string;
  /** Moodle's default student role. */
  roleId?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
};

const exceptionSchema = z.object({
  exception: z.string(),
  errorcode: z.string(),
  message: z.string(),
  debuginfo: z.string().optional(),
});

const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string().optional(),
  idnumber: z.string().optional(),
  /** Moodle answers a boolean (a number on some versions); suspended users cannot log in. */
  suspended: z.union([z.boolean(), z.number()]).optional(),
});
const usersSchema = z.array(userSchema);
const createdSchema = z.array(z.object({ id: z.number().int(), username: z.string() })).min(1);
const coursesSchema = z.object({ courses: z.array(z.object({ id: z.number().int(), idnumber: z.string().optional() })) });

type MoodleUser = z.infer<typeof userSchema>;

/** An exception answered by Moodle (HTTP 200 with `{exception, errorcode, message}`). */
export class MoodleException extends CampusError {
  constructor(
    readonly wsfunction: string,
    readonly errorcode: string,
    message: string,
    readonly debuginfo: string | undefined,
  ) {
    // invalidtoken / access errors need an administrator; database hiccups may pass.
    super(
      `Moodle ${wsfunction}: ${message}${debuginfo ? ` (${debuginfo})` : ""} [${errorcode}]`,
      !["invalidtoken", "accessexception", "invalidrecord", "wsusercannotassign"].includes(errorcode),
    );
    this.name = "MoodleException";
  }
}

/**
 * The Moodle username for a student: the email, lower-cased, reduced to PARAM_USERNAME's
 * characters (letters, digits, `_ - . @`). The email rather than the DNI/NIE: a username is
 * visible to other campus users and an identity document must not be. Stable as long as the email is;
 * the account is found by idnumber (our student id) first, so a changed email does not fork it.
 */
export function moodleUsername(student: Pick<CampusStudent, "email" | "id">, withSuffix = false): string {
  const base = student.email
    .trim()
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9_.@-]/g, "");
  const safe = base === "" ? "student" : base;
  // A sibling sharing a parent's email needs another name: a short, stable piece of our id.
  return withSuffix ? `${safe}.${student.id.replace(/-/g, "").slice(0, 8)}` : safe;
}

export class MoodleClient {
  private readonly endpoint: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly config: MoodleConfig) {
    this.endpoint = `${config.url.replace(/\/+$/, "")}/webservice/rest/server.php`;
    this.fetchFn = config.fetch ?? fetch;
    this.timeoutMs = config.timeoutMs ?? 15_000;
  }

  async call<T>(wsfunction: string, params: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    const body = new URLSearchParams({ wstoken: this.config.token, wsfunction, moodlewsrestformat: "json", ...params });
    let res: Response;
    try {
      res = await this.fetchFn(this.endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CampusError(`Moodle ${wsfunction}: not reachable (${error instanceof Error ? error.message : String(error)})`, true, { cause: error });
    }
    const text = await res.text();
    if (!res.ok) throw new CampusError(`Moodle ${wsfunction}: HTTP ${res.status}`, true);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CampusError(`Moodle ${wsfunction}: the answer is not JSON (is MOODLE_URL the site root?)`, false);
    }
    const exception = exceptionSchema.safeParse(json);
    if (exception.success) {
      const e = exception.data;
      throw new MoodleException(wsfunction, e.errorcode, e.message, e.debuginfo);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new CampusError(`Moodle ${wsfunction}: unexpected answer (${parsed.error.issues[0]?.message ?? "invalid"})`, false);
    return parsed.data;
  }

  async usersBy(field: "id" | "idnumber" | "username" | "email", value: string): Promise<MoodleUser[]> {
    return this.call("core_user_get_users_by_field", { field, "values[0]": value }, usersSchema);
  }
}

export class MoodleProvisioner implements CampusProvisioner {
  readonly provider = "moodle" as const;
  private readonly client: MoodleClient;
  private readonly roleId: number;

  constructor(config: MoodleConfig) {
    this.client = new MoodleClient(config);
    this.roleId = config.roleId ?? 5;
  }

  async provision(request: ProvisionRequest): Promise<ProvisionResult> {
    const user = await this.findOrCreateUser(request.student);
    // Provisioning means "the student can use the campus": access suspended for an overdue
    // receipt (lib/campus/suspension.ts) is restored by the run that follows its payment.
    if (user.suspended) await this.setSuspended(user.id, false);
    const courseIds = await Promise.all(request.courses.map((c) => this.resolveCourse(c)));
    if (courseIds.length > 0) {
      const params: Record<string, string> = {};
      courseIds.forEach((courseId, i) => {
        params[`enrolments[${i}][roleid]`] = String(this.roleId);
        params[`enrolments[${i}][userid]`] = String(user.id);
        params[`enrolments[${i}][courseid]`] = String(courseId);
      });
      // Moodle answers null on success; enrolling someone already enrolled is a no-op.
      await this.client.call("enrol_manual_enrol_users", params, z.null());
    }
    return { externalUserId: String(user.id), status: "active" };
  }

  /** Suspends (no login) or restores a Moodle user; idempotent. */
  async setSuspended(moodleUserId: number, suspended: boolean): Promise<void> {
    await this.client.call("core_user_update_users", { "users[0][id]": String(moodleUserId), "users[0][suspended]": suspended ? "1" : "0" }, z.unknown());
  }

  /**
   * Our student id is the Moodle user's idnumber, the stable link. Without one, a user with our
   * username and email but no idnumber is adopted and linked (an account staff created by hand);
   * one that belongs to someone else (another idnumber) is never touched.
   */
  private async findOrCreateUser(student: CampusStudent): Promise<MoodleUser> {
    const [linked] = await this.client.usersBy("idnumber", student.id);
    if (linked) return linked;
    for (const withSuffix of [false, true]) {
      const username = moodleUsername(student, withSuffix);
      const [existing] = await this.client.usersBy("username", username);
      if (existing) {
        if (!existing.idnumber && existing.email?.toLowerCase() === student.email.toLowerCase()) {
          // Link it for good: a sibling sharing this email must not be matched to it later.
          await this.client.call("core_user_update_users", { "users[0][id]": String(existing.id), "users[0][idnumber]": student.id }, z.unknown());
          return { ...existing, idnumber: student.id };
        }
        continue;
      }
      try {
        const [created] = await this.client.call(
          "core_user_create_users",
          {
            "users[0][username]": username,
            "users[0][firstname]": student.firstName,
            "users[0][lastname]": student.lastName,
            "users[0][email]": student.email,
            "users[0][idnumber]": student.id,
            "users[0][auth]": "manual",
            // Moodle generates a password and emails the student a welcome with it.
            "users[0][createpassword]": "1",
          },
          createdSchema,
        );
        if (created) return { id: created.id, username: created.username, idnumber: student.id, email: student.email };
      } catch (error) {
        // Another worker created it a moment ago: find it by our idnumber.
        if (error instanceof MoodleException && error.errorcode === "invalidparameter") {
          const [raced] = await this.client.usersBy("idnumber", student.id);
          if (raced) return raced;
        }
        throw error;
      }
    }
    throw new CampusError(`Moodle: the usernames for ${student.email} belong to other users; link the account by setting its idnumber to ${student.id}`, false);
  }

  private async resolveCourse(course: CampusCourse): Promise<number> {
    const ref = course.campusCourseId.trim();
    if (/^\d+$/.test(ref)) return Number(ref);
    const { courses } = await this.client.call("core_course_get_courses_by_field", { field: "idnumber", value: ref }, coursesSchema);
    const [found] = courses;
    if (!found) throw new CampusError(`Moodle: no course with idnumber "${ref}" (course ${course.code})`, false);
    return found.id;
  }
}
