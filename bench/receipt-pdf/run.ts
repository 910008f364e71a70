// How long the receipt PDF takes to make, since the outbox makes it at send time for every
// "payment received" email (lib/messaging/attachments.ts). Renders the same receipt N times in
// one process after a warm-up and writes the figures to bench/results/receipt-pdf.md.
//
//   npx tsx --conditions=react-server bench/receipt-pdf/run.ts [count=300]
import { writeFileSync } from "node:fs";
import os from "node:os";
import { demoAcademy } from "../../lib/demo/seed";
import { renderReceiptPdf, type ReceiptPdfData } from "../../lib/receipts/pdf";

const count = Math.max(10, Math.min(5000, Number(process.argv[2] ?? 300) || 300));
const data: ReceiptPdfData = {
  locale: "es",
  academy: demoAcademy,
  receipt: {
    number: "2026-000123",
    concept: "Mensualidad noviembre — Inglés B1 (martes y jueves)",
    period: "2026-11",
    amount: 8500,
    discountAmount: 0,
    currency: "EUR",
    status: "paid",
    issuedAt: new Date("2026-11-01T08:00:00Z"),
    paidAt: new Date("2026-11-27T13:05:00Z"),
    method: "bizum",
    refundedAmount: 0,
  },
  payer: { name: "María José Núñez Peña", email: "mjose.nunez@correo.test", document: "12345678Z" },
  student: { name: "Íñigo Núñez Peña", document: { kind: "nie", number: "X1234567L" } },
};

for (let i = 0; i < 20; i++) await renderReceiptPdf(data);
const times: number[] = [];
let bytes = 0;
const started = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  const t0 = process.hrtime.bigint();
  bytes = (await renderReceiptPdf(data)).byteLength;
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
const fmt = (ms: number) => ms.toFixed(2);
const rss = process.memoryUsage().rss / 2 ** 20;

const report = `# Receipt PDF: time to render

Produced by \`npx tsx --conditions=react-server bench/receipt-pdf/run.ts ${count}\`: one process renders the
same one-page receipt (pdf-lib, standard fonts) ${count} times after 20 warm-up renders.

- Date: ${new Date().toISOString()}
- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "?"}), load average at the end ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" / ")} (other work shared the machine)
- Node ${process.version}

| renders | median | p95 | p99 | max | throughput | PDF size | RSS at the end |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${count} | ${fmt(pct(50))} ms | ${fmt(pct(95))} ms | ${fmt(pct(99))} ms | ${fmt(times[times.length - 1]!)} ms | ${((count / totalMs) * 1000).toFixed(0)} PDFs/s | ${(bytes / 1024).toFixed(1)} KiB | ${rss.toFixed(0)} MiB |

What it means: the deliver-messages job makes each "payment received" PDF when it sends the email,
so a month's payments add this much CPU per email to the job, next to the SMTP round trip; the
download routes pay it once per click.
`;
writeFileSync("bench/results/receipt-pdf.md", report);
console.log(report);
