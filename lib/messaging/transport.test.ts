// Reading SMTP failures into retry / bad address / give up, the default sender, and the
// stored-only transport. The errors here are the shapes nodemailer really produces; the outbox
// tests drive the same paths against a real SMTP server.
import { describe, expect, it } from "vitest";
import { classifySendError, createMailTransport, defaultMailFrom, messageIdDomain, storedOnlyNote } from "./transport";

function smtpError(message: string, fields: { code?: string; responseCode?: number; command?: string }) {
  return Object.assign(new Error(message), fields);
}

describe("classifySendError", () => {
  it("takes a 5xx on RCPT TO as an invalid address", () => {
    const error = smtpError("Can't send mail - all recipients were rejected: 550 5.1.1 User unknown", {
      code: "EENVELOPE",
      responseCode: 550,
      command: "RCPT TO",
    });
    expect(classifySendError(error).kind).toBe("invalid_address");
  });

  it("takes a recipient nodemailer refuses to put on the wire as an invalid address", () => {
    expect(classifySendError(smtpError('Invalid recipient "a\\nb"', { code: "EENVELOPE", command: "API" })).kind).toBe("invalid_address");
  });

  it("retries 4xx replies, refused connections, timeouts and sender-side configuration errors", () => {
    const temporary = [
      smtpError("451 4.3.0 try later", { code: "EMESSAGE", responseCode: 451, command: "DATA" }),
      smtpError("450 mailbox busy", { code: "EENVELOPE", responseCode: 450, command: "RCPT TO" }),
      smtpError("connect ECONNREFUSED 127.0.0.1:1", { code: "ESOCKET", command: "CONN" }),
      smtpError("Connection timeout", { code: "ETIMEDOUT", command: "CONN" }),
      smtpError("Invalid login: 535 bad credentials", { code: "EAUTH", responseCode: 535, command: "AUTH PLAIN" }),
      smtpError("553 sender not allowed", { code: "EENVELOPE", responseCode: 553, command: "MAIL FROM" }),
      new Error("something nobody anticipated"),
      "not even an Error",
    ];
    expect(temporary.map((e) => classifySendError(e).kind)).toEqual(temporary.map(() => "temporary"));
  });

  it("gives up on a message the server refuses for good", () => {
    expect(classifySendError(smtpError("552 too large", { code: "EMESSAGE", responseCode: 552, command: "DATA" })).kind).toBe("permanent");
  });
});

describe("the sender", () => {
  it("defaults to the academy's name at no-reply@ the app's host", () => {
    expect(defaultMailFrom("https://www.pagos.academiasol.es:8443/app", "Academia Sol")).toEqual({
      name: "Academia Sol",
      address: "no-reply@pagos.academiasol.es",
    });
    expect(defaultMailFrom("http://localhost:3000").address).toBe("no-reply@localhost");
  });

  it("prefers MAIL_FROM", () => {
    const transport = createMailTransport({ SMTP_URL: undefined, MAIL_FROM: "Pagos <pagos@academiasol.es>", APP_URL: "http://localhost:3000" });
    expect(transport.from).toBe("Pagos <pagos@academiasol.es>");
    expect(messageIdDomain(transport.from)).toBe("academiasol.es");
  });
});

describe("without SMTP_URL", () => {
  it("stores only, and says so", async () => {
    const transport = createMailTransport({ SMTP_URL: undefined, MAIL_FROM: undefined, APP_URL: "http://localhost:3000" }, { academyName: "Academia Sol" });
    expect(transport.kind).toBe("store");
    const result = await transport.send({ from: transport.from, to: "a@example.com", subject: "s", text: "t", messageId: "<1@localhost>" });
    expect(result).toEqual({ messageId: null, note: storedOnlyNote });
  });

  it("is an SMTP transport when SMTP_URL is set", () => {
    const transport = createMailTransport({ SMTP_URL: "smtp://127.0.0.1:2525", MAIL_FROM: undefined, APP_URL: "http://localhost:3000" });
    expect(transport.kind).toBe("smtp");
    transport.close();
  });
});
