// The message list lives in its URL: filters and the keyset cursor are query parameters, so a
// filtered page can be bookmarked and paged without JavaScript.
import { z } from "zod";
import { messageStatuses, type MessageListFilters } from "@/db/queries/messages-dashboard";

const fields = {
  status: z.enum(messageStatuses),
  template: z.string().regex(/^[a-z_]{1,40}$/),
  q: z.string().trim().min(1).max(100),
  /** One bulk send's messages (linked from the bulk send page). */
  bulk: z.uuid(),
};
type FieldName = keyof typeof fields;
type RawParams = Record<string, string | string[] | undefined>;

export type MessageListParams = {
  filters: Omit<MessageListFilters, "after" | "limit">;
  after?: { at: string; id: string };
  ignored: FieldName[];
  /** The valid filters as query parameters, for the pagination links. */
  query: Record<string, string>;
};

const cursorSchema = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}[ T][\d:.]+([+-]\d{2}(:?\d{2})?|Z)$/), z.uuid()]);

export function encodeCursor(cursor: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString("base64url");
}

function decodeCursor(value: string | undefined): { at: string; id: string } | undefined {
  if (!value) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? { at: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

export function parseMessageListParams(raw: RawParams): MessageListParams {
  const query: Record<string, string> = {};
  const ignored: FieldName[] = [];
  for (const name of Object.keys(fields) as FieldName[]) {
    const value = raw[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || text.trim() === "") continue;
    const parsed = fields[name].safeParse(text);
    if (parsed.success) query[name] = parsed.data;
    else ignored.push(name);
  }
  const status = fields.status.safeParse(query.status);
  return {
    filters: { status: status.success ? status.data : undefined, template: query.template, q: query.q, bulkSendId: query.bulk },
    after: decodeCursor(Array.isArray(raw.after) ? raw.after[0] : raw.after),
    ignored,
    query,
  };
}

export function messageListHref(query: Record<string, string>, after?: { at: string; id: string }): string {
  const params = new URLSearchParams(query);
  if (after) params.set("after", encodeCursor(after));
  const text = params.toString();
  return text ? `/admin/messages?${text}` : "/admin/messages";
}
