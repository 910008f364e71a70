"use client";
// A bulk send's live progress: polls the staff-only progress route every second until every
// message has an outcome, and shows a progress bar (role=progressbar with aria-valuenow) with the
// counts. The finish is announced once in a polite live region.
import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";

export type Progress = { total: number; sent: number; failed: number; invalid: number; queued: number; status: string };

function isFinished(p: Progress): boolean {
  return p.status === "done" || p.status === "failed" || (p.total > 0 && p.sent + p.failed + p.invalid >= p.total);
}

export function BulkSendProgress({ bulkSendId, initial, label }: { bulkSendId: string; initial: Progress; label: string }) {
  const t = useTranslations("mail.bulk");
  const [progress, setProgress] = useState(initial);
  const finished = isFinished(progress);
  const router = useRouter();
  const finishedAtStart = useRef(finished);

  // A send that finishes while watched: the server parts of the page (past sends) catch up.
  useEffect(() => {
    if (finished && !finishedAtStart.current) router.refresh();
  }, [finished, router]);

  useEffect(() => {
    if (finished) return;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const response = await fetch(`/admin/messages/bulk/${bulkSendId}/progress`, { cache: "no-store" });
        if (!response.ok || stopped) return;
        setProgress((await response.json()) as Progress);
      } catch {
        // A dropped poll is retried by the next tick.
      }
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [bulkSendId, finished]);

  const done = progress.sent + progress.failed + progress.invalid;
  const percent = progress.total > 0 ? Math.min(100, Math.floor((done * 100) / progress.total)) : 0;
  return (
    <div className="space-y-2" data-testid="bulk-progress" data-bulk-send-id={bulkSendId} data-finished={finished ? "true" : "false"}>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <span className="font-medium" id={`bulk-label-${bulkSendId}`}>
          {label}
        </span>
        <span className="tabular-nums" data-testid="bulk-progress-text">
          {t("progressText", { done, total: progress.total, percent })}
        </span>
      </div>
      <div
        role="progressbar"
        aria-labelledby={`bulk-label-${bulkSendId}`}
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={done}
        aria-valuetext={t("progressText", { done, total: progress.total, percent })}
        className="h-3 w-full overflow-hidden rounded-full bg-stone-200"
      >
        <div
          className={`h-full rounded-full ${progress.failed + progress.invalid > 0 ? "bg-amber-500" : "bg-brand-600"} transition-[width]`}
          style={{ width: `${percent}%` }}
        />
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-700">
        <li data-testid="bulk-count-sent">{t("counts.sent", { count: progress.sent })}</li>
        <li data-testid="bulk-count-queued">{t("counts.queued", { count: progress.queued })}</li>
        <li data-testid="bulk-count-failed">{t("counts.failed", { count: progress.failed })}</li>
        <li data-testid="bulk-count-invalid">{t("counts.invalid", { count: progress.invalid })}</li>
      </ul>
      <p role="status" aria-live="polite" className="text-sm font-semibold text-green-800">
        {finished ? t("finished") : ""}
      </p>
    </div>
  );
}
