// What the issue action returns to its form: counts and codes the form words itself.
import type { CurrencyTotal } from "@/db/queries/billing";

export type IssueActionState =
  | { status: "idle" }
  /** `at` (ms) tells one success from the next when the same month is issued twice. */
  | { status: "done"; period: string; issued: number; totals: CurrencyTotal[]; at: number }
  | { status: "error"; error: "invalid" | "generic" };

export const idleIssueState: IssueActionState = { status: "idle" };
