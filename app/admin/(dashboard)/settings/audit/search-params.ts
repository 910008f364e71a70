// The audit log lives in its URL: ?staff=<uuid>&action=<prefix>&after=<id>, so a filtered page
// can be bookmarked and paged without JavaScript. Invalid values are dropped, never an error.
import { z } from "zod";

export type AuditParams = { staff?: string; action?: string; after?: number };

const fields = {
  staff: z.uuid(),
  action: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9_.]+$/i),
  after: z.coerce.number().int().positive(),
};

export function parseAuditParams(raw: Record<string, string | string[] | undefined>): AuditParams {
  const first = (name: string) => {
    const value = raw[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const staff = fields.staff.safeParse(first("staff"));
  const action = fields.action.safeParse(first("action"));
  const after = fields.after.safeParse(first("after"));
  return { staff: staff.success ? staff.data : undefined, action: action.success ? action.data : undefined, after: after.success ? after.data : undefined };
}

export function auditHref(params: AuditParams): string {
  const query = new URLSearchParams();
  if (params.staff) query.set("staff", params.staff);
  if (params.action) query.set("action", params.action);
  if (params.after !== undefined) query.set("after", String(params.after));
  const text = query.toString();
  return text ? `/admin/settings/audit?${text}` : "/admin/settings/audit";
}
