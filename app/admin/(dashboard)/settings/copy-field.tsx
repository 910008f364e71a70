"use client";
// A read-only value with a copy button (webhook URLs). Without clipboard access the text is
// selected so the admin can copy it by hand.
import { useRef, useState } from "react";
import { useTranslations } from "next-intl";

export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const t = useTranslations("settings");
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex min-w-0 gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          value={value}
          className="w-full min-w-0 rounded-md border border-stone-300 bg-stone-50 px-3 py-2 font-mono text-sm"
        />
        <button
          type="button"
          className="shrink-0 rounded-md border border-stone-300 bg-white px-3 py-2 text-sm hover:bg-stone-100"
          onClick={async () => {
            input.current?.select();
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {t("providers.copy")}
        </button>
      </div>
      <p role="status" className={copied ? "text-xs text-emerald-700" : "sr-only"}>
        {copied ? t("providers.copied") : ""}
      </p>
    </div>
  );
}
