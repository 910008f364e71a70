// The "Descargar recibo (PDF)" link of the payer's pages, shown once a receipt is paid.
import { getTranslations } from "next-intl/server";

export async function ReceiptPdfLink({ href }: { href: string }) {
  const t = await getTranslations("receiptPdf");
  return (
    <a
      href={href}
      download
      data-testid="receipt-pdf"
      className="flex w-full items-center justify-center gap-2 rounded-lg border border-brand-600 bg-white px-4 py-3 text-base font-semibold text-brand-700 hover:bg-brand-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-5 shrink-0">
        <path d="M10 2.75a.75.75 0 0 1 .75.75v7.69l2.72-2.72a.75.75 0 1 1 1.06 1.06l-4 4a.75.75 0 0 1-1.06 0l-4-4a.75.75 0 0 1 1.06-1.06l2.72 2.72V3.5a.75.75 0 0 1 .75-.75ZM3.5 13.25a.75.75 0 0 1 .75.75v1.25c0 .41.34.75.75.75h10a.75.75 0 0 0 .75-.75V14a.75.75 0 0 1 1.5 0v1.25A2.25 2.25 0 0 1 15 17.5H5a2.25 2.25 0 0 1-2.25-2.25V14a.75.75 0 0 1 .75-.75Z" />
      </svg>
      {t("download")}
    </a>
  );
}
