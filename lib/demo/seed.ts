// The demo academy: identity, six courses (one nearly full, one full), forty students (minors
// with guardians), their enrollments and a year of receipts in every state, two staff users
// and an API key. Deterministic for a given date, so tests can reason about it.
import type { Db, Tx } from "@/db/client";
import {
  insertDemoApiKey,
  insertDemoAuditEvents,
  insertDemoCourses,
  insertDemoEnrollments,
  insertDemoGuardians,
  insertDemoPaymentAttempts,
  insertDemoReceipts,
  insertDemoRefunds,
  insertDemoSettings,
  insertDemoStaffUsers,
  insertDemoStudents,
  linkDemoPaidAttempts,
  lockDemoSeed,
  settingExists,
} from "@/db/queries/demo";
import { allocateReceiptNumbers } from "@/db/queries/receipts";
import type * as t from "@/db/schema";
import { settingKeys, type Academy } from "@/lib/settings/schemas";
import { apiKeyPrefix, generateApiKey, hashApiKey } from "@/lib/auth/api-keys";
import { hashPassword } from "@/lib/auth/password";
import { onlineMethods } from "@/lib/payments/types";
import { formatReceiptNumber } from "@/lib/receipts/numbering";

export const demoCredentials = {
  admin: { email: "admin@academiasol.es", password: "Demo-Admin-2026", name: "Lucía Ferrer" },
  staff: { email: "secretaria@academiasol.es", password: "Demo-Staff-2026", name: "Pablo Ortega" },
} as const;

export const demoAcademy: Academy = {
  name: "Academia Sol de Idiomas",
  legalName: "Academia Sol de Idiomas S.L.",
  taxId: "B46123450",
  address: "Calle de Colón 12, 2º",
  postcode: "46004",
  city: "Valencia",
  email: "hola@academiasol.es",
  phone: "+34 963 000 000",
  website: "https://academiasol.es",
  // The app's own policy pages (/privacidad, /condiciones), filled in with the above.
  privacyPolicyUrl: "",
  termsUrl: "",
  timeZone: "Europe/Madrid",
  currency: "EUR",
};

type CourseSpec = {
  code: string;
  name: string;
  description: string;
  level: string;
  schedule: string;
  capacity: number;
  enrollmentFee: number;
  monthlyFee: number;
  /** How many seats the seed fills with confirmed students, then pending and waitlisted. */
  confirmed: number;
  pending: number;
  waitlisted: number;
  minors: boolean;
};

const courseSpecs: CourseSpec[] = [
  {
    code: "ING-A2-K",
    name: "Inglés A2 para jóvenes (10–13 años)",
    description: "Inglés comunicativo para preadolescentes, con juegos, proyectos y preparación del Cambridge A2 Key.",
    level: "A2",
    schedule: "Martes y jueves, 17:30–19:00",
    capacity: 14,
    enrollmentFee: 3000,
    monthlyFee: 5500,
    confirmed: 8,
    pending: 0,
    waitlisted: 0,
    minors: true,
  },
  {
    code: "ING-B1",
    name: "Inglés B1 intermedio",
    description: "Conversación, gramática y comprensión para desenvolverse con soltura en viajes y trabajo.",
    level: "B1",
    schedule: "Lunes y miércoles, 19:00–20:30",
    capacity: 12,
    enrollmentFee: 4000,
    monthlyFee: 6500,
    confirmed: 10,
    pending: 1,
    waitlisted: 0,
    minors: false,
  },
  {
    code: "ING-B2-FCE",
    name: "Inglés B2 — preparación First (FCE)",
    description: "Preparación intensiva del examen B2 First con simulacros oficiales y corrección de writing.",
    level: "B2",
    schedule: "Lunes, miércoles y viernes, 18:00–19:30",
    capacity: 10,
    enrollmentFee: 4000,
    monthlyFee: 7500,
    confirmed: 10,
    pending: 0,
    waitlisted: 2,
    minors: false,
  },
  {
    code: "FRA-A1",
    name: "Francés A1 desde cero",
    description: "Primeros pasos en francés: presentarse, pedir, describir y entender conversaciones sencillas.",
    level: "A1",
    schedule: "Martes y jueves, 19:30–21:00",
    capacity: 12,
    enrollmentFee: 3500,
    monthlyFee: 6000,
    confirmed: 5,
    pending: 1,
    waitlisted: 0,
    minors: false,
  },
  {
    code: "ALE-A2",
    name: "Alemán A2",
    description: "Alemán práctico para el día a día y el trabajo, con preparación opcional del Goethe-Zertifikat A2.",
    level: "A2",
    schedule: "Sábados, 10:00–13:00",
    capacity: 10,
    enrollmentFee: 3500,
    monthlyFee: 6500,
    confirmed: 4,
    pending: 0,
    waitlisted: 0,
    minors: false,
  },
  {
    code: "ESP-B1-INT",
    name: "Español para extranjeros B1 intensivo",
    description: "Curso intensivo de mañana para residentes y estudiantes internacionales, con preparación del DELE B1.",
    level: "B1",
    schedule: "De lunes a jueves, 10:00–12:00",
    capacity: 15,
    enrollmentFee: 5000,
    monthlyFee: 9000,
    confirmed: 3,
    pending: 0,
    waitlisted: 0,
    minors: false,
  },
];

const firstNames = [
  "Lucía",
  "Hugo",
  "Martina",
  "Mateo",
  "Sofía",
  "Leo",
  "Julia",
  "Manuel",
  "Paula",
  "Daniel",
  "Valeria",
  "Pablo",
  "Emma",
  "Álvaro",
  "Daniela",
  "Adrián",
  "Carla",
  "Enzo",
  "Alba",
  "Mario",
  "Noa",
  "Diego",
  "Irene",
  "Javier",
  "Carmen",
  "Marc",
  "Laia",
  "Jorge",
  "Elena",
  "Iker",
];
const lastNames = [
  "García",
  "Martínez",
  "López",
  "Sánchez",
  "Pérez",
  "Gómez",
  "Fernández",
  "Ruiz",
  "Díaz",
  "Moreno",
  "Álvarez",
  "Romero",
  "Navarro",
  "Torres",
  "Domínguez",
  "Vázquez",
  "Ramos",
  "Gil",
  "Serrano",
  "Blanco",
  "Molina",
  "Morales",
  "Ortega",
  "Delgado",
  "Castro",
  "Ortiz",
  "Rubio",
  "Marín",
  "Sanz",
  "Iglesias",
];

/** mulberry32: a tiny seeded generator, so the demo is the same on every machine. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
function dni(n: number): string {
  const digits = String(n).padStart(8, "0");
  return `${digits}${DNI_LETTERS[n % 23]}`;
}
function nie(prefix: 0 | 1 | 2, n: number): string {
  const digits = String(n).padStart(7, "0");
  return `${"XYZ"[prefix]}${digits}${DNI_LETTERS[Number(`${prefix}${digits}`) % 23]}`;
}

function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]+/g, "");
}

const day = 24 * 60 * 60 * 1000;
function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function monthStart(year: number, month: number): Date {
  return new Date(Date.UTC(year, month, 1, 9));
}
function period(d: Date): string {
  return d.toISOString().slice(0, 7);
}

/** Card mostly, then Bizum, as academies see it. */
const paidOnlineWith = ["redsys", "redsys", "redsys", "bizum", "bizum", "stripe", "paypal"] as const;
const manualMethods = ["cash", "transfer"] as const;
type Method = (typeof paidOnlineWith)[number] | (typeof manualMethods)[number];

function providerOf(method: Method): "redsys" | "stripe" | "paypal" | "manual" {
  if (method === "bizum") return "redsys";
  if (method === "cash" || method === "transfer") return "manual";
  return method;
}

export type SeedResult = { apiKey: string; students: number; receipts: number };

export async function isSeeded(db: Db): Promise<boolean> {
  return settingExists(db, settingKeys.academy);
}

/**
 * Fills an empty database with the demo academy (`now` fixes "today" for the receipts); undefined
 * when it holds the demo already (two instances starting at once: the second waits for the first
 * and seeds nothing).
 */
export async function seedDemoOnce(db: Db, options: { now?: Date; apiKey?: string } = {}): Promise<SeedResult | undefined> {
  return seedIn(db, options, true);
}

/** Fills a database known to be empty with the demo academy. */
export async function seedDemo(db: Db, options: { now?: Date; apiKey?: string } = {}): Promise<SeedResult> {
  return (await seedIn(db, options, false))!;
}

async function seedIn(db: Db, options: { now?: Date; apiKey?: string }, once: boolean): Promise<SeedResult | undefined> {
  const now = options.now ?? new Date();
  const apiKey = options.apiKey ?? generateApiKey();
  const [adminHash, staffHash] = await Promise.all([hashPassword(demoCredentials.admin.password), hashPassword(demoCredentials.staff.password)]);
  return db.transaction(async (tx) => {
    if (once) {
      await lockDemoSeed(tx);
      if (await settingExists(tx, settingKeys.academy)) return undefined;
    }
    const [admin] = await insertDemoStaffUsers(tx, [
      { email: demoCredentials.admin.email, name: demoCredentials.admin.name, passwordHash: adminHash, role: "admin" },
      { email: demoCredentials.staff.email, name: demoCredentials.staff.name, passwordHash: staffHash, role: "staff" },
    ]);
    await insertDemoSettings(tx, [
      { key: settingKeys.academy, value: demoAcademy },
      {
        key: settingKeys.paymentMethods,
        value: { enrollment: [...onlineMethods], receipts: [...onlineMethods] },
      },
    ]);
    await insertDemoApiKey(tx, {
      name: "Demo",
      prefix: apiKeyPrefix(apiKey),
      keyHash: hashApiKey(apiKey),
      createdBy: admin!.id,
    });
    const counts = await seedAcademyData(tx, now);
    return { apiKey, ...counts };
  });
}

async function seedAcademyData(tx: Tx, now: Date): Promise<{ students: number; receipts: number }> {
  const rng = random(20260901);
  const thisMonth = monthStart(now.getUTCFullYear(), now.getUTCMonth());
  const firstMonth = monthStart(now.getUTCFullYear(), now.getUTCMonth() - 12);
  const courseStart = isoDate(firstMonth);
  const courseEnd = isoDate(new Date(Date.UTC(now.getUTCFullYear() + 1, 5, 30)));

  const courseRows = await insertDemoCourses(
    tx,
    courseSpecs.map((c) => ({
      code: c.code,
      name: c.name,
      description: c.description,
      level: c.level,
      schedule: c.schedule,
      startDate: courseStart,
      endDate: courseEnd,
      capacity: c.capacity,
      enrollmentFee: c.enrollmentFee,
      monthlyFee: c.monthlyFee,
      status: "open" as const,
      // The children's course says so: 10 to 13 years old when it starts.
      minAge: c.minors ? 10 : null,
      maxAge: c.minors ? 13 : null,
      campusCourseId: `moodle-${c.code.toLowerCase()}`,
    })),
  );
  const courseId = new Map(courseRows.map((c) => [c.code, c.id]));

  // Forty students; the kids' course takes the minors, a few adults take two courses.
  type Seat = { spec: CourseSpec; status: "confirmed" | "pending_payment" | "waitlisted" | "cancelled" };
  const seats: Seat[] = courseSpecs.flatMap((spec) => [
    ...Array.from({ length: spec.confirmed }, () => ({ spec, status: "confirmed" as const })),
    ...Array.from({ length: spec.pending }, () => ({ spec, status: "pending_payment" as const })),
    ...Array.from({ length: spec.waitlisted }, () => ({ spec, status: "waitlisted" as const })),
  ]);
  // Three enrollments that were never paid and were cancelled when their hold expired.
  seats.push({ spec: courseSpecs[1]!, status: "cancelled" }, { spec: courseSpecs[3]!, status: "cancelled" }, { spec: courseSpecs[4]!, status: "cancelled" });

  const studentCount = 40;
  const usedNames = new Set<string>();
  const studentValues = Array.from({ length: studentCount }, (_, i) => {
    let first: string, last1: string, last2: string;
    do {
      first = rng.pick(firstNames);
      last1 = rng.pick(lastNames);
      last2 = rng.pick(lastNames);
    } while (usedNames.has(`${first} ${last1} ${last2}`) || last1 === last2);
    usedNames.add(`${first} ${last1} ${last2}`);
    const minor = i < 9;
    const age = minor ? (i === 8 ? 16 : rng.int(10, 13)) : rng.int(19, 58);
    const birth = new Date(now.getTime() - (age * 365.25 + rng.int(10, 300)) * day);
    const foreign = !minor && i % 7 === 3;
    return {
      firstName: first,
      lastName: `${last1} ${last2}`,
      email: `${slug(first)}.${slug(last1)}${i}@correo.test`,
      phone: `+34 6${String(rng.int(10_000_000, 99_999_999))}`,
      documentType: foreign ? ("nie" as const) : ("dni" as const),
      documentNumber: foreign ? nie((i % 3) as 0 | 1 | 2, rng.int(1_000_000, 9_999_999)) : dni(rng.int(10_000_000, 79_999_999)),
      birthDate: isoDate(birth),
      postcode: `460${String(rng.int(1, 25)).padStart(2, "0")}`,
      city: "Valencia",
      locale: foreign && i % 2 === 1 ? "en" : "es",
    };
  });
  const students = await insertDemoStudents(tx, studentValues);

  const guardianValues = studentValues.slice(0, 9).map((s, i) => {
    const first = rng.pick(firstNames);
    return {
      studentId: students[i]!.id,
      firstName: first,
      lastName: s.lastName,
      email: `${slug(first)}.${slug(s.lastName.split(" ")[0]!)}.familia${i}@correo.test`,
      phone: `+34 6${String(rng.int(10_000_000, 99_999_999))}`,
      documentType: "dni" as const,
      documentNumber: dni(rng.int(10_000_000, 79_999_999)),
      relationship: i % 2 ? "madre" : "padre",
      isPayer: true,
    };
  });
  await insertDemoGuardians(tx, guardianValues);

  // Assign seats: minors to the kids' course first, then adults round the rest.
  const minorsIdx = Array.from({ length: 9 }, (_, i) => i);
  const kidsSeats = seats.filter((s) => s.spec.minors).length;
  // Minors left over from the kids' course (older teenagers) join the adult groups.
  const othersIdx = [...minorsIdx.slice(kidsSeats), ...Array.from({ length: studentCount - 9 }, (_, i) => i + 9)];
  const assignments: { student: number; seat: Seat }[] = [];
  let cursor = 0;
  for (const seat of seats) {
    const student = seat.spec.minors ? minorsIdx.shift()! : othersIdx[cursor++ % othersIdx.length]!;
    assignments.push({ student, seat });
  }

  const enrollmentRows = await insertDemoEnrollments(
    tx,
    assignments.map(({ student, seat }, i) => {
      const monthsAgo = seat.status === "confirmed" ? rng.int(1, 12) : seat.status === "cancelled" ? rng.int(1, 6) : 0;
      const created =
        seat.status === "pending_payment"
          ? new Date(now.getTime() - 20 * 60 * 1000)
          : seat.status === "waitlisted"
            ? new Date(now.getTime() - rng.int(2, 20) * day)
            : new Date(monthStart(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo).getTime() + rng.int(0, 20) * day);
      const createdAt = created > now ? new Date(now.getTime() - day) : created;
      return {
        studentId: students[student]!.id,
        courseId: courseId.get(seat.spec.code)!,
        status: seat.status,
        holdExpiresAt: seat.status === "pending_payment" ? new Date(now.getTime() + 40 * 60 * 1000) : null,
        paymentMethod: seat.status === "waitlisted" ? null : rng.pick(paidOnlineWith),
        discountKind: i % 11 === 5 ? ("percent" as const) : null,
        discountValue: i % 11 === 5 ? 10 : null,
        dataProtectionAcceptedAt: createdAt,
        termsAcceptedAt: createdAt,
        imageRightsAccepted: rng.next() < 0.7,
        confirmedAt: seat.status === "confirmed" ? createdAt : null,
        cancelledAt: seat.status === "cancelled" ? new Date(createdAt.getTime() + 2 * 60 * 60 * 1000) : null,
        cancelReason: seat.status === "cancelled" ? "hold_expired" : null,
        createdAt,
        updatedAt: createdAt,
      };
    }),
  );

  // Receipts: the enrollment fee (with the first month) and one per month since.
  type Draft = {
    kind: "enrollment" | "monthly";
    enrollmentIndex: number;
    period: string | null;
    concept: string;
    amount: number;
    /** What the enrollment's discount took off the month (receipts.discount_amount). */
    discount: number;
    issuedAt: Date;
    dueDate: string;
    status: "pending" | "paid" | "cancelled" | "refunded" | "partially_refunded";
    method: Method | null;
    refunded: number;
  };
  const drafts: Draft[] = [];
  enrollmentRows.forEach((enrollment, index) => {
    const { seat } = assignments[index]!;
    if (seat.status === "waitlisted") return;
    const spec = seat.spec;
    const discount = enrollment.discountValue ?? 0;
    const monthly = Math.round((spec.monthlyFee * (100 - discount)) / 100);
    const created = enrollment.createdAt;
    const enrollmentStatus = seat.status === "confirmed" ? "paid" : seat.status === "cancelled" ? "cancelled" : ("pending" as const);
    drafts.push({
      kind: "enrollment",
      enrollmentIndex: index,
      period: null,
      concept: `Matrícula y primera mensualidad — ${spec.name}`,
      amount: spec.enrollmentFee + monthly,
      discount: spec.monthlyFee - monthly,
      issuedAt: created,
      dueDate: isoDate(created),
      status: enrollmentStatus,
      method: enrollmentStatus === "paid" ? (enrollment.paymentMethod as Method) : null,
      refunded: 0,
    });
    if (seat.status !== "confirmed") return;
    for (let m = monthStart(created.getUTCFullYear(), created.getUTCMonth() + 1); m <= thisMonth; m = monthStart(m.getUTCFullYear(), m.getUTCMonth() + 1)) {
      const isCurrent = m.getTime() === thisMonth.getTime();
      const roll = rng.next();
      const due = new Date(m.getTime() + 4 * day);
      let status: Draft["status"];
      if (isCurrent) status = roll < 0.55 && due < now ? "paid" : "pending";
      else if (roll < 0.84) status = "paid";
      else if (roll < 0.9) status = "pending";
      else if (roll < 0.94) status = "cancelled";
      else if (roll < 0.97) status = "refunded";
      else status = "partially_refunded";
      const paid = status === "paid" || status === "refunded" || status === "partially_refunded";
      drafts.push({
        kind: "monthly",
        enrollmentIndex: index,
        period: period(m),
        concept: `Mensualidad ${period(m)} — ${spec.name}`,
        amount: monthly,
        discount: spec.monthlyFee - monthly,
        issuedAt: new Date(m.getTime() - 3 * day),
        dueDate: isoDate(due),
        status,
        method: paid ? (rng.next() < 0.12 ? rng.pick(manualMethods) : rng.pick(paidOnlineWith)) : null,
        refunded: status === "refunded" ? monthly : status === "partially_refunded" ? Math.round(monthly / 2) : 0,
      });
    }
  });
  drafts.sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());

  // Numbers per year, in issue order.
  const numbers: { year: number; seq: number }[] = [];
  const byYear = new Map<number, number>();
  for (const d of drafts) byYear.set(d.issuedAt.getUTCFullYear(), (byYear.get(d.issuedAt.getUTCFullYear()) ?? 0) + 1);
  const allocated = new Map<number, number[]>();
  for (const [year, count] of byYear) allocated.set(year, await allocateReceiptNumbers(tx, year, count));
  for (const d of drafts) numbers.push({ year: d.issuedAt.getUTCFullYear(), seq: allocated.get(d.issuedAt.getUTCFullYear())!.shift()! });

  const payerOf = (studentIndex: number) => {
    const s = studentValues[studentIndex]!;
    const g = studentIndex < 9 ? guardianValues[studentIndex]! : undefined;
    return g
      ? { payerName: `${g.firstName} ${g.lastName}`, payerEmail: g.email, payerDocument: g.documentNumber }
      : { payerName: `${s.firstName} ${s.lastName}`, payerEmail: s.email, payerDocument: s.documentNumber };
  };

  const paidAtOf = (d: Draft) =>
    d.kind === "enrollment"
      ? new Date(d.issuedAt.getTime() + 15 * 60 * 1000)
      : new Date(Math.min(new Date(d.dueDate).getTime() + rng.int(-3, 6) * day + rng.int(8, 20) * 3600_000, now.getTime() - 3600_000));

  const receiptRows = await insertDemoReceipts(
    tx,
    drafts.map((d, i) => {
      const enrollment = enrollmentRows[d.enrollmentIndex]!;
      const studentIndex = assignments[d.enrollmentIndex]!.student;
      const paid = d.status === "paid" || d.status === "refunded" || d.status === "partially_refunded";
      return {
        number: formatReceiptNumber(numbers[i]!.year, numbers[i]!.seq),
        seriesYear: numbers[i]!.year,
        seriesNumber: numbers[i]!.seq,
        kind: d.kind,
        studentId: enrollment.studentId,
        enrollmentId: enrollment.id,
        period: d.period,
        concept: d.concept,
        amount: d.amount,
        discountAmount: d.discount,
        currency: "EUR",
        dueDate: d.dueDate,
        status: d.status,
        ...payerOf(studentIndex),
        paidAt: paid ? paidAtOf(d) : null,
        paidMethod: paid ? d.method : null,
        refundedAmount: d.refunded,
        cancelledAt: d.status === "cancelled" ? new Date(d.issuedAt.getTime() + 2 * 3600_000) : null,
        cancelReason: d.status === "cancelled" ? (d.kind === "enrollment" ? "hold_expired" : "Baja temporal acordada con la familia") : null,
        issuedAt: d.issuedAt,
        updatedAt: d.issuedAt,
      };
    }),
  );

  // Payment attempts, refunds and the timeline for each receipt.
  const attempts: (typeof t.paymentAttempts.$inferInsert)[] = [];
  const audit: (typeof t.auditEvents.$inferInsert)[] = [];
  const refundRows: (typeof t.refunds.$inferInsert)[] = [];
  receiptRows.forEach((r, i) => {
    audit.push({ receiptId: r.id, source: "system", action: "receipt.issued", occurredAt: r.issuedAt, data: { number: r.number } });
    const ref = (n: number) => `${String(4000 + (i % 5000)).padStart(4, "0")}${String(n).padStart(2, "0")}${r.number.replace("-", "").slice(-6)}`;
    if (r.status === "pending" && drafts[i]!.kind === "enrollment") {
      attempts.push({
        receiptId: r.id,
        provider: "redsys",
        method: "redsys",
        mode: "sandbox",
        amount: r.amount,
        currency: "EUR",
        status: "redirected",
        providerRef: ref(1),
        createdAt: new Date(now.getTime() - 15 * 60 * 1000),
        updatedAt: new Date(now.getTime() - 15 * 60 * 1000),
      });
    }
    if (!r.paidAt || !r.paidMethod) return;
    const method = r.paidMethod as Method;
    const provider = providerOf(method);
    if (provider !== "manual" && rng.next() < 0.15) {
      attempts.push({
        receiptId: r.id,
        provider,
        method,
        mode: "sandbox",
        amount: r.amount,
        currency: "EUR",
        status: "failed",
        providerRef: `${provider}-${ref(1)}`,
        failureCode: provider === "redsys" ? "0190" : "card_declined",
        failureMessage: "Denegada por el emisor",
        finalizedBy: "webhook",
        createdAt: new Date(r.paidAt.getTime() - 10 * 60 * 1000),
        updatedAt: new Date(r.paidAt.getTime() - 9 * 60 * 1000),
        finalizedAt: new Date(r.paidAt.getTime() - 9 * 60 * 1000),
      });
    }
    attempts.push({
      receiptId: r.id,
      provider,
      method,
      mode: "sandbox",
      amount: r.amount,
      currency: "EUR",
      status: "succeeded",
      providerRef: provider === "manual" ? null : `${provider}-${ref(2)}`,
      providerPaymentRef: provider === "manual" ? null : `pay-${ref(2)}`,
      finalizedBy: provider === "manual" ? "staff" : "webhook",
      createdAt: new Date(r.paidAt.getTime() - 2 * 60 * 1000),
      updatedAt: r.paidAt,
      finalizedAt: r.paidAt,
    });
    audit.push({
      receiptId: r.id,
      source: provider === "manual" ? "staff" : "webhook",
      action: "receipt.paid",
      occurredAt: r.paidAt,
      data: { method, amount: r.amount },
    });
    if (r.refundedAmount > 0) {
      const at = new Date(r.paidAt.getTime() + 5 * day);
      refundRows.push({
        receiptId: r.id,
        provider,
        amount: r.refundedAmount,
        currency: "EUR",
        status: "succeeded",
        providerRef: provider === "manual" ? null : `re-${ref(3)}`,
        idempotencyKey: `seed-refund-${r.id}`,
        reason: r.status === "refunded" ? "Baja antes de empezar el mes" : "Clases no impartidas por festivo",
        source: "staff",
        createdAt: at,
        completedAt: at,
      });
      audit.push({
        receiptId: r.id,
        source: "staff",
        action: r.status === "refunded" ? "receipt.refunded" : "receipt.partially_refunded",
        occurredAt: at,
        data: { amount: r.refundedAmount },
      });
    }
    if (r.status === "cancelled") {
      audit.push({ receiptId: r.id, source: "system", action: "receipt.cancelled", occurredAt: r.issuedAt, data: {} });
    }
  });
  await insertDemoPaymentAttempts(tx, attempts);
  // Each paid receipt names the payment that paid it (the one successful attempt above).
  await linkDemoPaidAttempts(tx);
  await insertDemoRefunds(tx, refundRows);
  await insertDemoAuditEvents(tx, audit);

  return { students: students.length, receipts: receiptRows.length };
}
