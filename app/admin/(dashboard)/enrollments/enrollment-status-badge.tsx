// An enrollment's status as a coloured badge with its word (colour is never the only cue).
const colours: Record<string, string> = {
  pending_payment: "bg-amber-100 text-amber-900",
  confirmed: "bg-emerald-100 text-emerald-900",
  waitlisted: "bg-sky-100 text-sky-900",
  cancelled: "bg-stone-200 text-stone-800",
  withdrawn: "bg-stone-200 text-stone-800",
};

export function EnrollmentStatusBadge({ status, label }: { status: string; label: string }) {
  return (
    <span
      data-testid="enrollment-status"
      data-status={status}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${colours[status] ?? "bg-stone-100 text-stone-800"}`}
    >
      {label}
    </span>
  );
}
