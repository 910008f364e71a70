// What the issue action answers its form: the shared form result with counts the form words itself.
import type { CurrencyTotal } from "@/db/queries/billing";
import type { ActionState } from "@/lib/actions/state";

/** `at` (ms) tells one success from the next when the same month is issued twice. */
export type MonthIssued = { status: "done"; period: string; issued: number; totals: CurrencyTotal[]; at: number };

export type IssueActionState = ActionState<MonthIssued>;

export const idleIssueState: IssueActionState = { status: "idle" };
