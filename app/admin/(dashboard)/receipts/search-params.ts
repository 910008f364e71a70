// The receipts list lives in its URL: filters and the keyset cursor are plain query parameters,
// so a filtered page can be bookmarked, shared and paged without JavaScript.
import { z } from "zod";
import { paymentMethod, receiptStatus } from "@/db/schema";
import type { ReceiptCursor, ReceiptFilter } from "@/db/queries/dashboard-receipts";

const isoDate = z.iso.date();
const fields = {
  status: z.enum(receiptStatus.enumValues),
  method: z.enum(paymentMethod.enumValues),
  period: z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/),
  from: isoDate,
  to: isoDate,
  overdue: z.literal("1"),
  q: z.string().trim().min(1).max(100),
};
type FieldName = keyof typeof fields;

export type ListParams = {
  filter: Omit<ReceiptFilter, "timeZone">;
  after?: ReceiptCursor;
  /** Filters present in the URL but not valid, which were left out (named to the user). */
  ignored: FieldName[];
  /** The valid filters as query parameters, for the pagination links. */
  query: Record<string, string>;
};

type RawParams = Record<string, string | string[] | undefined>;

export function parseListParams(raw: RawParams): ListParams {
  const query: Record<string, string> = {};
  const ignored: FieldName[] = [];
  for (const name of Object.keys(fields) as FieldName[]) {
    const value = raw[name];
    const text = Array.isArray(value) ? value[0] : value;
    // An empty field of the GET form means "any": not an error.
    if (text === undefined || text.trim() === "") continue;
    const parsed = fields[name].safeParse(text);
    if (parsed.success) query[name] = parsed.data;
    else ignored.push(name);
  }
  const filter: ListParams["filter"] = {
    status: query.status as ReceiptFilter["status"],
    method: query.method as ReceiptFilter["method"],
    period: query.period,
    issuedFrom: query.from,
    issuedTo: query.to,
    overdue: query.overdue === "1",
    q: query.q,
  };
  const after = decodeCursor(Array.isArray(raw.after) ? raw.after[0] : raw.after);
  return { filter, after, ignored, query };
}

const cursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

export function encodeCursor(cursor: ReceiptCursor): string {
  return Buffer.from(JSON.stringify([cursor.issuedAt, cursor.id])).toString("base64url");
}

/** A damaged cursor starts from the first page rather than failing. */
export function decodeCursor(text: string | undefined): ReceiptCursor | undefined {
  if (!text || text.length > 200) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? { issuedAt: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

export function listHref(query: Record<string, string>, after?: ReceiptCursor): string {
  const params = new URLSearchParams(query);
  if (after) params.set("after", encodeCursor(after));
  const text = params.toString();
  return text ? `/admin/receipts?${text}` : "/admin/receipts";
}
