// How the outbox hands a message to the world: over SMTP with nodemailer when SMTP_URL is set,
// or, when it is not (the embedded default, a newcomer's laptop), a transport that sends nothing:
// the message stays readable in the `messages` table (the dashboard shows it) and is recorded as
// sent with a note saying it was only stored. This module is the only importer of nodemailer, and
// it owns the reading of SMTP errors into "retry later", "bad address" or "give up".
import "server-only";
import nodemailer from "nodemailer";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import { z } from "zod";
import type { Env } from "@/lib/env";
import type { MailAttachment } from "./templates";

export type MailAddress = { name: string; address: string };

export type OutgoingMail = {
  from: string | MailAddress;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** A stable Message-ID (derived from the outbox row), so a re-send is recognisable as the same message. */
  messageId: string;
  attachments?: MailAttachment[];
};

export type SendResult = {
  /** The Message-ID the server accepted, or null when nothing was sent. */
  messageId: string | null;
  /** Recorded with the message when it was not really sent (the stored-only transport). */
  note?: string;
};

export type MailTransport = {
  readonly kind: "smtp" | "store";
  /** The From of every message: MAIL_FROM, or the academy's name with no-reply@<APP_URL host>. */
  readonly from: string | MailAddress;
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Closes pooled SMTP connections; call when a delivery run is over. */
  close(): void;
};

export const storedOnlyNote = "stored only: SMTP_URL is not set, so the message was kept in the database and not mailed";

export type MailTransportOptions = {
  /** The academy's name, shown as the sender's name when MAIL_FROM is not set. */
  academyName?: string;
  /** Milliseconds; the defaults fail a dead server in seconds rather than nodemailer's minutes. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
};

/**
 * The transport for this environment. Query parameters in SMTP_URL are nodemailer options and win
 * over the defaults here (e.g. `?pool=false` or `?tls.rejectUnauthorized=false` for a lab server).
 */
export function createMailTransport(env: Pick<Env, "SMTP_URL" | "MAIL_FROM" | "APP_URL">, options: MailTransportOptions = {}): MailTransport {
  const from = env.MAIL_FROM ?? defaultMailFrom(env.APP_URL, options.academyName);
  if (!env.SMTP_URL) {
    return {
      kind: "store",
      from,
      send: async () => ({ messageId: null, note: storedOnlyNote }),
      close() {},
    };
  }
  const transporter = nodemailer.createTransport({
    // Pooled: a month's payment links go out over a few reused connections instead of one each.
    pool: true,
    maxConnections: 3,
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    greetingTimeout: options.greetingTimeoutMs ?? 10_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    dnsTimeout: 10_000,
    ...parseConnectionUrl(env.SMTP_URL),
  });
  return {
    kind: "smtp",
    from,
    async send(mail) {
      const info: unknown = await transporter.sendMail({
        from: mail.from,
        // An object, not a string: nodemailer would split "a@x.es, b@y.es" into two recipients.
        to: { name: "", address: mail.to },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      });
      const parsed = sentInfo.safeParse(info);
      return { messageId: parsed.success ? (parsed.data.messageId ?? mail.messageId) : mail.messageId };
    },
    close() {
      transporter.close();
    },
  };
}

const sentInfo = z.object({ messageId: z.string().optional() });

/** "Academia Sol" <no-reply@pagos.academiasol.es>, from APP_URL's host. */
export function defaultMailFrom(appUrl: string, academyName?: string): MailAddress {
  const host = new URL(appUrl).hostname.replace(/^www\./, "") || "localhost";
  return { name: academyName?.trim() || "Academy", address: `no-reply@${host}` };
}

/** The domain part for generated Message-IDs. */
export function messageIdDomain(from: string | MailAddress): string {
  const address = typeof from === "string" ? (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from) : from.address;
  return address.split("@")[1]?.trim() || "localhost";
}

// ---------------------------------------------------------------------------------------------

export type SendFailure =
  /** The recipient can never be reached at this address: do not retry. */
  | { kind: "invalid_address"; message: string }
  /** Worth trying again later: 4xx, network trouble, timeouts, our own configuration. */
  | { kind: "temporary"; message: string }
  /** The server refused this message for good (e.g. 552 too large, 554 content rejected). */
  | { kind: "permanent"; message: string };

const smtpErrorShape = z.object({
  code: z.string().optional(),
  responseCode: z.number().optional(),
  command: z.string().optional(),
});

/**
 * Reads a nodemailer error. Unknown errors count as temporary: the outbox's attempt limit still
 * ends them, and a wrong "permanent" would silently drop a payer's email. 5xx on MAIL FROM and
 * authentication errors are also temporary, because they describe our sender configuration, which
 * an operator can fix, not the message.
 */
export function classifySendError(error: unknown): SendFailure {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  const parsed = smtpErrorShape.safeParse(error);
  const { code, responseCode, command } = parsed.success ? parsed.data : {};
  const isRcpt = command?.toUpperCase().startsWith("RCPT") ?? false;
  if (responseCode !== undefined && responseCode >= 500 && isRcpt) return { kind: "invalid_address", message };
  if (code === "EENVELOPE" && command === "API" && /recipient/i.test(message)) return { kind: "invalid_address", message };
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return { kind: "temporary", message };
  if (code === "EAUTH" || command?.toUpperCase().startsWith("MAIL")) return { kind: "temporary", message };
  if (responseCode !== undefined && responseCode >= 500) return { kind: "permanent", message };
  if (code === "EMESSAGE") return { kind: "permanent", message };
  return { kind: "temporary", message };
}
