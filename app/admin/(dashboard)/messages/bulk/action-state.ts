// What the "start the send" action answers its form: the shared form result with codes the form words itself.
import type { ActionState } from "@/lib/actions/state";

export type BulkSendStarted = { status: "started"; bulkSendId: string; total: number; created: boolean; at: number };

export type BulkSendActionState = ActionState<BulkSendStarted, "nothing_to_send">;

export const idleBulkSendState: BulkSendActionState = { status: "idle" };
