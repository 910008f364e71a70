// What the "start the send" action returns to its form: codes the form words itself.
export type BulkSendActionState =
  | { status: "idle" }
  | { status: "started"; bulkSendId: string; total: number; created: boolean; at: number }
  | { status: "error"; error: "invalid" | "nothing_to_send" | "generic" };

export const idleBulkSendState: BulkSendActionState = { status: "idle" };
