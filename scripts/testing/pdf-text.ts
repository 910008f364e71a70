// Reads the text of a PDF with pdf.js (the parser browsers use), for tests that check what a
// generated document says rather than trusting the code that drew it.
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";

export type PdfText = {
  pages: number;
  /** Each page's text, items joined by spaces and every run of whitespace (also no-break) one space. */
  pageTexts: string[];
  /** All pages' text as one string, normalised the same way. */
  text: string;
  info: Record<string, unknown>;
};

export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  // pdf.js takes ownership of the buffer it is given: pass a copy.
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: VerbosityLevel.ERRORS, isEvalSupported: false }).promise;
  try {
    const pageTexts: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const parts = content.items.map((item) => ("str" in item ? item.str : ""));
      pageTexts.push(parts.join(" ").replace(/\s+/g, " ").trim());
    }
    const { info } = await doc.getMetadata();
    return { pages: doc.numPages, pageTexts, text: pageTexts.join(" "), info: (info ?? {}) as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}
