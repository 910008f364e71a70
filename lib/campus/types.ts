// The one interface every campus adapter implements, and the shapes they share. An adapter gets
// everything it needs in the request (no database access) so it is testable over HTTP alone.
import type { campusProvider } from "@/db/schema";
import { AppError } from "@/lib/errors";

export type CampusProvider = (typeof campusProvider.enumValues)[number];

export type CampusStudent = {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  locale: string;
};

export type CampusCourse = {
  id: string;
  code: string;
  name: string;
  /** `courses.campus_course_id`: a Moodle course id ("42") or idnumber ("moodle-ing-b1"). */
  campusCourseId: string;
};

export type TriggerCourse = Omit<CampusCourse, "campusCourseId"> & { campusCourseId: string | null };

export type ProvisionRequest = {
  student: CampusStudent;
  /**
   * The confirmed enrollment that triggered this run and its course (mapped to the campus or not:
   * a webhook receiver may still care). Absent in a background sweep of an account.
   */
  trigger?: { enrollmentId: string; course: TriggerCourse };
  /** Every course the student is confirmed in that maps to the campus (enrolling again is harmless). */
  courses: CampusCourse[];
};

export type ProvisionResult = {
  /** The campus's id of the student's account (Moodle user id); null when there is none (webhook). */
  externalUserId: string | null;
  /** pending: accepted, finishing in the background (webhook retries scheduled). */
  status: "active" | "pending";
  detail?: string;
};

export interface CampusProvisioner {
  readonly provider: CampusProvider;
  /** Creates or finds the account and enrols it; idempotent. Throws a CampusError on failure. */
  provision(request: ProvisionRequest): Promise<ProvisionResult>;
}

/** A failure worth recording as-is on the account (`last_error`) and showing to staff. */
export class CampusError extends AppError<"campus_retryable" | "campus_needs_change"> {
  constructor(
    message: string,
    /** false when trying again cannot help until someone changes something (mapping, campus config). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(retryable ? "campus_retryable" : "campus_needs_change", message, options);
    this.name = "CampusError";
  }
}
