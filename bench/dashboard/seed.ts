// The bench's rows, generated set-based in PostgreSQL (INSERT … SELECT generate_series): a staff
// user, 5,000 students, N receipts issued evenly over the last 12 months in time order (as a
// real table fills), with realistic shares of kinds, statuses, methods, discounts and refunds,
// and a succeeded attempt (provider reference) for every receipt paid online.
import pg from "pg";

export const BENCH_STAFF_ID = "00000000-0000-4000-8000-00000000beec";
const STUDENTS = 5_000;
const CHUNK = 250_000;

export async function seedDashboard(client: pg.Client, receipts: number, log: (line: string) => void): Promise<void> {
  await client.query("select setseed(0.42)");
  await client.query(
    `insert into staff_users (id, email, name, password_hash, role) values ($1, 'bench@academia.test', 'Bench Staff', 'not-a-hash', 'staff')`,
    [BENCH_STAFF_ID],
  );
  await client.query(
    `insert into students (first_name, last_name, email, document_type, document_number)
     select 'Alumno', 'Bench ' || lpad(i::text, 5, '0'), 'alumno' || i || '@example.test', 'passport', 'PB' || lpad(i::text, 7, '0')
     from generate_series(1, $1::int) i`,
    [STUDENTS],
  );
  for (let start = 1; start <= receipts; start += CHUNK) {
    const end = Math.min(receipts, start + CHUNK - 1);
    const started = performance.now();
    // r1: kind, r2: status, r3: method, r4: amount, r5: discount, r6: days to pay.
    await client.query(
      `with s as (select array_agg(id order by last_name) as ids from students where first_name = 'Alumno'),
       g as (
         select i,
                date_trunc('second', now() - interval '365 days' + interval '365 days' * (i::float8 / $2::int) - interval '1 minute' * random()) as issued_at,
                random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6
         from generate_series($1::int, $3::int) i
       ),
       v as (
         select g.*,
                case when r1 < 0.85 then 'monthly' else 'other' end::receipt_kind as kind,
                case when r2 < 0.62 then 'paid' when r2 < 0.85 then 'pending' when r2 < 0.93 then 'cancelled'
                     when r2 < 0.97 then 'refunded' else 'partially_refunded' end::receipt_status as status,
                case when r3 < 0.30 then 'bizum' when r3 < 0.55 then 'redsys' when r3 < 0.70 then 'stripe' when r3 < 0.80 then 'paypal'
                     when r3 < 0.88 then 'cash' when r3 < 0.98 then 'transfer' else 'other' end::payment_method as method,
                (45 + floor(r4 * 16)::int * 5) * 100 as full_amount
         from g
       )
       insert into receipts (number, series_year, series_number, kind, student_id, period, concept, amount, discount_amount, currency,
                             due_date, status, payer_name, payer_email, payer_document, paid_at, paid_method, refunded_amount,
                             cancelled_at, cancel_reason, issued_at, updated_at)
       select extract(year from issued_at)::int || '-' || lpad(i::text, 7, '0'), extract(year from issued_at)::int, i, kind,
              s.ids[1 + i % cardinality(s.ids)],
              case when kind = 'monthly' then to_char(issued_at at time zone 'Europe/Madrid', 'YYYY-MM') end,
              case when kind = 'monthly' then 'Mensualidad ' || to_char(issued_at at time zone 'Europe/Madrid', 'MM/YYYY') else 'Material y matrícula' end,
              case when r5 < 0.1 then full_amount - full_amount / 10 else full_amount end,
              case when r5 < 0.1 then full_amount / 10 else 0 end,
              'EUR', (issued_at + interval '10 days')::date, status,
              'Familia Bench ' || (i % ${STUDENTS}), 'familia' || (i % ${STUDENTS}) || '@example.test', '0000' || lpad((i % ${STUDENTS})::text, 4, '0') || 'T',
              case when status in ('paid', 'refunded', 'partially_refunded') then least(now(), issued_at + interval '1 day' * floor(r6 * 12)) end,
              case when status in ('paid', 'refunded', 'partially_refunded') then method end,
              case status when 'refunded' then case when r5 < 0.1 then full_amount - full_amount / 10 else full_amount end
                          when 'partially_refunded' then 1000 else 0 end,
              case when status = 'cancelled' then issued_at + interval '15 days' end,
              case when status = 'cancelled' then 'Baja' end,
              issued_at, issued_at
       from v, s`,
      [start, receipts, end],
    );
    log(`  receipts ${start}–${end} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const started = performance.now();
  await client.query(
    `insert into payment_attempts (receipt_id, provider, method, mode, amount, currency, status, provider_ref, provider_payment_ref, finalized_by, created_at, updated_at, finalized_at)
     select id, case paid_method when 'bizum' then 'redsys' else paid_method::text end::provider, paid_method, 'sandbox', amount, currency, 'succeeded',
            'BO' || series_number, 'PAY' || series_number, 'webhook', paid_at, paid_at, paid_at
     from receipts where paid_method in ('bizum', 'redsys', 'stripe', 'paypal')`,
  );
  log(`  payment attempts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const analyzed = performance.now();
  await client.query("vacuum analyze");
  log(`  vacuum analyze in ${((performance.now() - analyzed) / 1000).toFixed(1)} s`);
}
