// A real SMTP server for the tests (smtp-server on 127.0.0.1, a free port, no auth, no TLS).
// Every accepted message is parsed with mailparser and kept in `messages`; the tests can make
// recipients fail permanently (550 on RCPT TO) or the next DATA commands fail temporarily (451),
// so the outbox's retry and invalid-address paths run against a server that really answers so.
import { EventEmitter } from "node:events";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream } from "smtp-server";

export type ReceivedAttachment = { filename: string | undefined; contentType: string; content: Buffer };

export type ReceivedMail = {
  /** What the client said in MAIL FROM and RCPT TO (the addresses the server accepted). */
  envelope: { from: string | undefined; to: string[] };
  /** The From header's address and display name. */
  from: string | undefined;
  fromName: string | undefined;
  /** The To header's addresses. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  attachments: ReceivedAttachment[];
  /** The message exactly as it came over the wire. */
  raw: Buffer;
  receivedAt: Date;
};

export type TestSmtpServerOptions = {
  /** Largest message accepted, in bytes (the server advertises it with SIZE). */
  maxSize?: number;
  /** A fixed port, for an app started before the test (its SMTP_URL names it); 0 picks one. */
  port?: number;
};

export type TestSmtpServer = {
  port: number;
  /** smtp://127.0.0.1:PORT, ready for SMTP_URL. */
  url: string;
  /** Every message accepted so far, in arrival order. */
  messages: ReceivedMail[];
  /** The first message (already received or arriving later) matching `predicate`; rejects after the timeout. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** From now on, RCPT TO for a matching address gets 550 (a permanent rejection). A string matches exactly, ignoring case. */
  reject(addressPattern: string | RegExp): void;
  /** The next `n` DATA commands get 451 (a temporary failure); the message is not kept. */
  failNext(n: number): void;
  /** How many DATA commands were answered 451 so far. */
  readonly failedData: number;
  close(): Promise<void>;
};

export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);
  const rejected: (string | RegExp)[] = [];
  let failuresLeft = 0;
  let failedData = 0;

  const isRejected = (address: string) =>
    rejected.some((pattern) => (typeof pattern === "string" ? pattern.toLowerCase() === address.toLowerCase() : pattern.test(address)));

  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    size: options.maxSize,
    // Connections a client left open (a pooled transport) must not hold close() for long.
    closeTimeout: 1_000,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (isRejected(address.address)) {
        callback(smtpError(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`, 550));
        return;
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        // The whole message must be read before answering, or the client sees a broken DATA.
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          failedData += 1;
          callback(smtpError("4.3.0 Temporary failure, try again later", 451));
          return;
        }
        if (stream.sizeExceeded) {
          callback(smtpError("5.3.4 Message exceeds fixed maximum message size", 552));
          return;
        }
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        };
        simpleParser(raw).then(
          (parsed) => {
            const mail = toReceivedMail(parsed, envelope, raw);
            messages.push(mail);
            arrivals.emit("mail", mail);
            // Answering only now means a client that got 250 finds its message in `messages`.
            callback(null, `Queued as ${messages.length}`);
          },
          (error: unknown) => callback(smtpError(`5.6.0 Unparseable message: ${String(error)}`, 554)),
        );
      });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.server.address();
      if (typeof address === "object" && address) resolve(address.port);
      else reject(new Error("the test SMTP server has no TCP port"));
    });
  });
  // A client dropping the connection mid-session is not a reason to crash the test run.
  server.on("error", () => {});

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get failedData() {
      return failedData;
    },
    waitFor(predicate, timeoutMs = 5_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const onMail = (mail: ReceivedMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          arrivals.off("mail", onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          arrivals.off("mail", onMail);
          const seen = messages.map((m) => `${m.to.join(",")}: ${m.subject}`).join("; ") || "none";
          reject(new Error(`No matching mail arrived within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        arrivals.on("mail", onMail);
      });
    },
    reject(addressPattern) {
      rejected.push(addressPattern);
    },
    failNext(n) {
      failuresLeft += n;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An error whose responseCode smtp-server sends back as the SMTP reply code. */
function smtpError(message: string, responseCode: number): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

function addresses(header: AddressObject | AddressObject[] | undefined): { address: string | undefined; name: string }[] {
  if (!header) return [];
  const list = Array.isArray(header) ? header : [header];
  return list.flatMap((h) => h.value.flatMap((a) => (a.group ? a.group : [a]))).map((a) => ({ address: a.address, name: a.name }));
}

function toReceivedMail(parsed: ParsedMail, envelope: ReceivedMail["envelope"], raw: Buffer): ReceivedMail {
  const [sender] = addresses(parsed.from);
  return {
    envelope,
    from: sender?.address,
    fromName: sender?.name || undefined,
    to: addresses(parsed.to).flatMap((a) => (a.address ? [a.address] : [])),
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    messageId: parsed.messageId,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    raw,
    receivedAt: new Date(),
  };
}
