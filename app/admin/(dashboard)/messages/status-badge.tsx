// A message's delivery status as a coloured label (the text says it; the colour only helps).
import type { MessageStatus } from "@/db/queries/messages-dashboard";

const styles: Record<MessageStatus, string> = {
  queued: "bg-stone-100 text-stone-800 border-stone-300",
  sending: "bg-blue-50 text-blue-800 border-blue-200",
  sent: "bg-green-50 text-green-800 border-green-200",
  failed: "bg-red-50 text-red-800 border-red-200",
  invalid_address: "bg-amber-50 text-amber-900 border-amber-200",
};

export function MessageStatusBadge({ status, label }: { status: MessageStatus; label: string }) {
  return (
    <span className={`inline-block whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-semibold ${styles[status]}`} data-status={status}>
      {label}
    </span>
  );
}
