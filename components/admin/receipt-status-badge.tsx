// A receipt's status as a coloured pill. The label comes translated from the caller, so this
// stays a plain component usable from server pages and client leaves alike.
import type { ReceiptStatus } from "@/db/queries/dashboard-receipts";

const tone: Record<ReceiptStatus, string> = {
  pending: "bg-amber-50 text-amber-900 ring-amber-200",
  paid: "bg-emerald-50 text-emerald-900 ring-emerald-200",
  cancelled: "bg-stone-100 text-stone-700 ring-stone-300",
  refunded: "bg-sky-50 text-sky-900 ring-sky-200",
  partially_refunded: "bg-violet-50 text-violet-900 ring-violet-200",
};

export function ReceiptStatusBadge({ status, label }: { status: ReceiptStatus; label: string }) {
  return (
    <span
      className={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tone[status]}`}
      data-status={status}
      data-testid="status-badge"
    >
      {label}
    </span>
  );
}
