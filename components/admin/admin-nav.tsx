"use client";
// The dashboard's sections. Staff see what their role may use; the current section is marked
// for screen readers (aria-current) and by eye. Wraps onto several lines on a phone.
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
  return (
    <ul className="flex flex-wrap items-center gap-x-4 gap-y-1">
      {sections
        .filter((section) => role === "admin" || !section.adminOnly)
        .map((section) => {
          const current = isCurrent(pathname, section.href);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                aria-current={current ? "page" : undefined}
                className={`text-sm hover:underline ${current ? "font-semibold text-brand-700" : "text-stone-700"}`}
              >
                {t(section.key)}
              </Link>
            </li>
          );
        })}
    </ul>
  );
}
