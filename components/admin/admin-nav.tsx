"use client";
// The dashboard's sections. Staff see what their role may use; the current section is marked
// for screen readers (aria-current) and by eye. On a phone the list folds into one "Menu" line
// that names the current section.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";

type Section = { href: string; key: string; adminOnly?: boolean };

const sections: Section[] = [
  { href: "/admin", key: "home" },
  { href: "/admin/attention", key: "attention" },
  { href: "/admin/receipts", key: "receipts" },
  { href: "/admin/students", key: "students" },
  { href: "/admin/enrollments", key: "enrollments" },
  { href: "/admin/courses", key: "courses" },
  { href: "/admin/billing", key: "billing" },
  { href: "/admin/messages", key: "messages" },
  { href: "/admin/reports", key: "reports" },
  { href: "/admin/settings", key: "settings", adminOnly: true },
  { href: "/admin/users", key: "users", adminOnly: true },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === "/admin" ? pathname === "/admin" : pathname === href || pathname.startsWith(`${href}/`);
}

export function AdminNav({ role }: { role: "admin" | "staff" }) {
  const t = useTranslations("admin.nav");
  const pathname = usePathname();
  const visible = sections.filter((section) => role === "admin" || !section.adminOnly);
  const current = visible.find((section) => isCurrent(pathname, section.href));
  const links = (className: string) =>
    visible.map((section) => {
      const here = section === current;
      return (
        <li key={section.href}>
          <Link
            href={section.href}
            aria-current={here ? "page" : undefined}
            className={`${className} hover:underline ${here ? "font-semibold text-brand-700" : "text-stone-700"}`}
          >
            {t(section.key)}
          </Link>
        </li>
      );
    });
  return (
    <>
      <ul className="hidden flex-wrap items-center gap-x-4 gap-y-1 sm:flex">{links("text-sm")}</ul>
      {/* The key makes a navigation close the menu again. */}
      <details key={pathname} className="group relative sm:hidden">
        <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md border border-stone-300 px-3 py-1 text-sm">
          <span aria-hidden="true">☰</span>
          {t("menu")}
          {current && <span className="font-semibold text-brand-700">· {t(current.key)}</span>}
        </summary>
        <ul className="absolute left-0 z-10 mt-1 grid w-56 gap-1 rounded-lg border border-stone-200 bg-white p-2 shadow-lg">
          {links("block rounded px-2 py-1.5 text-base")}
        </ul>
      </details>
    </>
  );
}
