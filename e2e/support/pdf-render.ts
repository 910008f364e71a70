// Draws a PDF's page into an image in Chromium with pdf.js, the way Firefox shows PDFs: an honest
// picture of what a reader sees, made with nothing but npm packages and the Debian chromium.
// pdf.js and the document are served to the page from a made-up origin that Playwright answers
// itself, so nothing is downloaded and no server is needed.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

const origin = "http://pdf-render.invalid";
const pdfjsRoot = path.resolve(import.meta.dirname, "../../node_modules/pdfjs-dist");

const page1Html = `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#9ca3af}canvas{display:block}</style></head><body><canvas id="page"></canvas></body></html>`;

/** A PNG of page `pageNumber` (1-based) of the PDF, `scale` CSS pixels per PDF point. */
export async function renderPdfPage(page: Page, bytes: Uint8Array, options: { pageNumber?: number; scale?: number } = {}): Promise<Buffer> {
  const pdf = Buffer.from(bytes);
  await page.route(`${origin}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === "/") return route.fulfill({ contentType: "text/html; charset=utf-8", body: page1Html });
    if (pathname === "/document.pdf") return route.fulfill({ contentType: "application/pdf", body: pdf });
    const file = /^\/(build\/pdf(?:\.worker)?\.min\.mjs|standard_fonts\/[\w.-]+)$/.exec(pathname)?.[1];
    if (!file) return route.fulfill({ status: 404, body: "not found" });
    const contentType = file.endsWith(".mjs") ? "text/javascript" : "application/octet-stream";
    return route.fulfill({ contentType, body: readFileSync(path.join(pdfjsRoot, file)) });
  });
  await page.goto(`${origin}/`);
  const size = await page.evaluate(
    async ({ pageNumber, scale }) => {
      const pdfjs = await import("/build/pdf.min.mjs" as string);
      pdfjs.GlobalWorkerOptions.workerSrc = "/build/pdf.worker.min.mjs";
      const doc = await pdfjs.getDocument({ url: "/document.pdf", standardFontDataUrl: "/standard_fonts/" }).promise;
      const pdfPage = await doc.getPage(pageNumber);
      const viewport = pdfPage.getViewport({ scale });
      const canvas = document.getElementById("page") as HTMLCanvasElement;
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      await pdfPage.render({ canvas, viewport }).promise;
      return { width: canvas.width, height: canvas.height };
    },
    { pageNumber: options.pageNumber ?? 1, scale: options.scale ?? 1.5 },
  );
  await page.setViewportSize({ width: size.width, height: Math.min(size.height, 2000) });
  const png = await page.locator("#page").screenshot();
  await page.unroute(`${origin}/**`);
  return png;
}
