// The students list: search by name, document or e-mail (a GET form), keyset pages by surname.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { listDashboardStudents } from "@/db/queries/dashboard-students";
import { requireStaff } from "@/lib/auth/guard";
import { decodeCursor, encodeCursor, firstValue, hrefWith } from "../enrollments/cursor";

const PAGE_SIZE = 25;
const cursorSchema = z.tuple([z.string().max(200), z.string().max(200), z.uuid()]);

export async function generateMetadata() {
  const t = await getTranslations("students");
  return { title: t("title") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function StudentsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff();
  const raw = await searchParams;
  const q = firstValue(raw.q)?.slice(0, 100);
  const after = decodeCursor(raw.after, cursorSchema);
  const db = await getDb();
  const page = await listDashboardStudents(db, { q, after: after ? { lastName: after[0], firstName: after[1], id: after[2] } : undefined, limit: PAGE_SIZE });
  const t = await getTranslations("students");
  const inputClass = "w-full min-w-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm";

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("heading")}</h1>
      <form method="get" action="/admin/students" role="search" className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
        <label htmlFor="s-q" className="block text-sm font-medium">
          {t("search.label")}
        </label>
        <div className="mt-1 flex flex-wrap gap-3">
          <input id="s-q" name="q" type="search" defaultValue={q} maxLength={100} aria-describedby="s-q-hint" className={`${inputClass} sm:max-w-md`} />
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            {t("search.submit")}
          </button>
          {q && (
            <Link href="/admin/students" className="self-center text-sm text-stone-700 underline-offset-4 hover:underline">
              {t("search.clear")}
            </Link>
          )}
        </div>
        <p id="s-q-hint" className="mt-1 text-xs text-stone-500">
          {t("search.hint")}
        </p>
      </form>

      {page.rows.length === 0 ? (
        <p className="text-stone-600">{t("empty")}</p>
      ) : (
        <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white" aria-label={t("heading")}>
          {page.rows.map((row) => (
            <li
              key={row.id}
              className="flex min-w-0 flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-4 py-3 text-sm"
              data-testid="student-row"
              data-student-id={row.id}
            >
              <div className="min-w-0">
                <Link href={`/admin/students/${row.id}`} className="font-semibold text-brand-700 underline-offset-4 hover:underline">
                  {row.lastName}, {row.firstName}
                </Link>
                <p className="break-all text-stone-600">
                  {row.email}
                  {row.documentNumber && ` · ${row.documentNumber}`}
                </p>
              </div>
              <p className="text-stone-600">
                {t("liveEnrollments", { count: row.liveEnrollments })}
                {row.pendingReceipts > 0 && <span className="ml-2 font-semibold text-amber-800">{t("pendingReceipts", { count: row.pendingReceipts })}</span>}
              </p>
            </li>
          ))}
        </ul>
      )}

      {(after || page.next) && (
        <nav aria-label={t("pagination")} className="flex flex-wrap justify-between gap-3 text-sm">
          {after ? (
            <Link href={hrefWith("/admin/students", { q })} className="underline-offset-4 hover:underline">
              {t("first")}
            </Link>
          ) : (
            <span />
          )}
          {page.next && (
            <Link
              href={hrefWith("/admin/students", { q, after: encodeCursor([page.next.lastName, page.next.firstName, page.next.id]) })}
              rel="next"
              className="font-semibold text-brand-700 underline-offset-4 hover:underline"
            >
              {t("next")}
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
