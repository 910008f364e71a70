// Redsys (TPV Virtual) emulator: redirect entry (realizarPago), the payment page with test cards
// and Bizum, the MERCHANTURL notification, the URLOK/URLKO return, REST trataPeticion (refund,
// confirmation, cancellation) and a signed JSON operations query for reconciliation.
import { randomBytes, randomInt } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { OrderSummary, ProviderModule, SandboxContext } from "../shared/context";
import type { Faults } from "../shared/faults";
import { escapeHtml, formFields, page, redirect, sendHtml, sendJson, type Request, type Router, pageLanguage, type PageLanguage } from "../shared/http";
import { REDSYS_PREFIX, RESPONSE, RESPONSE_DESCRIPTION, SIS, type SisCode } from "./codes";
import { encodeParameters, SIGNATURE_VERSION, sign, signForNotification } from "./signature";
import { BIZUM_TEST_CODE, paymentPageHtml, TEST_CARDS } from "./payment-page";
import { validateSigned, type MerchantParams, type SignedFields } from "./validate";

export { BIZUM_TEST_CODE, BIZUM_TEST_PHONE, TEST_CARDS } from "./payment-page";
export { REDSYS_PREFIX } from "./codes";

type Operation = {
  transactionType: string;
  amount: number;
  response: string;
  authorisationCode: string;
  at: Date;
  payMethod: "card" | "bizum" | "";
};

type Payment = {
  token: string;
  order: string;
  amount: number;
  currency: string;
  transactionType: "0" | "1";
  merchantUrl?: string;
  urlOk?: string;
  urlKo?: string;
  payMethods: string;
  language: PageLanguage;
  merchantData: string;
  description: string;
  bizumPhone?: string;
  status: "pending" | "authorised" | "denied" | "cancelled" | "expired";
  operations: Operation[];
  refunded: number;
  confirmed: number;
  preauthCancelled: boolean;
  createdAt: Date;
};

type Outcome = { kind: "authorised" } | { kind: "denied"; response: string } | { kind: "cancelled" } | { kind: "expired" };

export function createRedsys(ctx: SandboxContext): ProviderModule {
  const payments = new Map<string, Payment>();
  const byToken = new Map<string, Payment>();
  const cfg = ctx.config.redsys;

  const faultsFor = (order: string): Faults => ctx.faults.resolve("redsys", [order]);

  function sisErrorPage(res: ServerResponse, code: SisCode): void {
    // The real SIS answers a bad redirect with an HTML error page naming the code, status 200.
    sendHtml(
      res,
      200,
      page(`Error ${code}`, `<h1>Error en la operación</h1><p>Código de error: <strong id="sis-error">${code}</strong></p><p>${escapeHtml(SIS[code])}</p>`),
    );
  }

  function restError(res: ServerResponse, code: SisCode): void {
    sendJson(res, 200, { errorCode: code });
  }

  function madridDateTime(at: Date): { date: string; hour: string } {
    const parts = new Intl.DateTimeFormat("es-ES", {
      timeZone: "Europe/Madrid",
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).formatToParts(at);
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "00";
    return { date: `${get("day")}/${get("month")}/${get("year")}`, hour: `${get("hour")}:${get("minute")}` };
  }

  /** The Ds_* parameters of a notification, in the order and with the extras real ones carry. */
  function notificationParams(p: Payment, op: Operation): Record<string, string> {
    const { date, hour } = madridDateTime(op.at);
    const authorised = Number(op.response) <= 99 || op.response === "0900" || op.response === "0400";
    const base: Record<string, string> = {
      Ds_Date: date,
      Ds_Hour: hour,
      Ds_SecurePayment: op.payMethod === "card" && authorised ? "1" : "0",
      Ds_Amount: String(op.amount),
      Ds_Currency: p.currency,
      Ds_Order: p.order,
      Ds_MerchantCode: cfg.merchantCode,
      // Real notifications pad the terminal to three digits whatever the merchant sent.
      Ds_Terminal: cfg.terminal.padStart(3, "0"),
      Ds_Response: op.response,
      Ds_MerchantData: p.merchantData,
      Ds_TransactionType: op.transactionType,
      Ds_ConsumerLanguage: "1",
      Ds_AuthorisationCode: op.authorisationCode,
    };
    if (op.payMethod === "card") {
      Object.assign(base, {
        Ds_Card_Country: "724",
        Ds_Card_Brand: "1",
        Ds_Card_Typology: "CONSUMO",
        Ds_Card_PSD2: "Y",
        Ds_ECI: authorised ? "05" : "07",
        Ds_ProcessedPayMethod: "78",
      });
    } else if (op.payMethod === "bizum") {
      base.Ds_ProcessedPayMethod = "68";
    }
    base.Ds_Response_Description = RESPONSE_DESCRIPTION[op.response] ?? "";
    return base;
  }

  function notify(p: Payment, op: Operation, url: string | undefined): void {
    const params = notificationParams(p, op);
    ctx.deliveries.enqueue({
      provider: "redsys",
      ref: p.order,
      eventType: `notification ${op.transactionType}/${op.response}`,
      url,
      faults: faultsFor(p.order),
      build: ({ badSignature }) => {
        const merchantParameters = encodeParameters(params);
        const signature = signForNotification(cfg.secretKey, badSignature ? `${p.order}X` : p.order, merchantParameters);
        const body = new URLSearchParams({
          Ds_SignatureVersion: SIGNATURE_VERSION,
          Ds_MerchantParameters: merchantParameters,
          Ds_Signature: signature,
        }).toString();
        return { body, headers: { "content-type": "application/x-www-form-urlencoded" } };
      },
    });
  }

  /** URLOK/URLKO query: the same parameters url-encoded inside the JSON, plus Ds_Control_<ms>. */
  function returnQuery(p: Payment, op: Operation): string {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(notificationParams(p, op))) params[k] = encodeURIComponent(v);
    const ms = String(Date.now());
    params[`Ds_Control_${ms}`] = ms;
    const merchantParameters = Buffer.from(JSON.stringify(params), "utf8").toString("base64");
    return new URLSearchParams({
      Ds_SignatureVersion: SIGNATURE_VERSION,
      Ds_MerchantParameters: merchantParameters,
      Ds_Signature: signForNotification(cfg.secretKey, p.order, merchantParameters),
    }).toString();
  }

  /**
   * A refund made in the bank's back office (Canales), not through the merchant's API: JSON
   * `{ "order": "…", "amount": 1000, "withoutAuthorisation"?: true }`. Redsys notifies it to the
   * order's merchant URL as a type-3 operation, as it does the merchant's own refunds.
   */
  function backOfficeRefund(req: Request, res: ServerResponse): void {
    let body: { order?: unknown; amount?: unknown; withoutAuthorisation?: unknown };
    try {
      body = JSON.parse(req.rawBody.toString("utf8") || "{}") as typeof body;
    } catch {
      return sendJson(res, 400, { error: "not JSON" });
    }
    const p = typeof body.order === "string" ? payments.get(body.order) : undefined;
    const amount = Number(body.amount);
    if (!p) return sendJson(res, 404, { error: "no such order" });
    if (p.status !== "authorised" || !Number.isInteger(amount) || amount <= 0 || p.refunded + amount > p.amount)
      return sendJson(res, 409, { error: "not refundable" });
    p.refunded += amount;
    const op: Operation = {
      transactionType: "3",
      amount,
      response: RESPONSE.refundOrConfirmationOk,
      authorisationCode: body.withoutAuthorisation === true ? "" : authCode(),
      at: new Date(),
      payMethod: "",
    };
    p.operations.push(op);
    notify(p, op, p.merchantUrl);
    sendJson(res, 200, { order: p.order, amount, authorisationCode: op.authorisationCode });
  }

  function authCode(): string {
    return String(randomInt(100000, 999999));
  }

  function finish(res: ServerResponse, p: Payment, requested: Outcome, payMethod: "card" | "bizum"): void {
    const faults = faultsFor(p.order);
    let outcome = requested;
    if (faults.expire) outcome = { kind: "expired" };
    else if (faults.cancel) outcome = { kind: "cancelled" };
    else if (faults.decline && outcome.kind === "authorised") outcome = { kind: "denied", response: RESPONSE.denied };

    if (outcome.kind === "expired") {
      // A session that times out produces no notification: only reconciliation can tell.
      p.status = "expired";
      if (p.urlKo) return redirect(res, p.urlKo);
      return sendHtml(res, 200, page("Sesión caducada", `<h1 id="result">Sesión caducada</h1>`));
    }
    const response = outcome.kind === "authorised" ? RESPONSE.authorised : outcome.kind === "cancelled" ? RESPONSE.userCancelled : outcome.response;
    const op: Operation = {
      transactionType: p.transactionType,
      amount: p.amount,
      response,
      authorisationCode: outcome.kind === "authorised" ? authCode() : "",
      at: new Date(),
      payMethod: outcome.kind === "cancelled" ? "" : payMethod,
    };
    p.operations.push(op);
    p.status = outcome.kind === "authorised" ? "authorised" : outcome.kind === "cancelled" ? "cancelled" : "denied";
    notify(p, op, p.merchantUrl);
    const target = outcome.kind === "authorised" ? p.urlOk : p.urlKo;
    if (target) {
      const sep = target.includes("?") ? "&" : "?";
      return redirect(res, `${target}${sep}${returnQuery(p, op)}`);
    }
    sendHtml(res, 200, page("Resultado", `<h1 id="result">${escapeHtml(RESPONSE_DESCRIPTION[response] ?? response)}</h1>`));
  }

  function signedFieldsFromForm(req: Request): SignedFields {
    const f = formFields(req.rawBody);
    return { Ds_SignatureVersion: f.Ds_SignatureVersion, Ds_MerchantParameters: f.Ds_MerchantParameters, Ds_Signature: f.Ds_Signature };
  }

  function signedFieldsFromJson(req: Request): SignedFields | undefined {
    try {
      const parsed: unknown = JSON.parse(req.rawBody.toString("utf8"));
      if (typeof parsed !== "object" || parsed === null) return undefined;
      const o = parsed as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
      return { Ds_SignatureVersion: str(o.Ds_SignatureVersion), Ds_MerchantParameters: str(o.Ds_MerchantParameters), Ds_Signature: str(o.Ds_Signature) };
    } catch {
      return undefined;
    }
  }

  function signedResponse(res: ServerResponse, order: string, params: Record<string, unknown>): void {
    const merchantParameters = encodeParameters(params);
    sendJson(res, 200, {
      Ds_SignatureVersion: SIGNATURE_VERSION,
      Ds_MerchantParameters: merchantParameters,
      Ds_Signature: sign(cfg.secretKey, order, merchantParameters),
    });
  }

  function startPayment(req: Request, res: ServerResponse): void {
    const fields = req.headers["content-type"]?.includes("application/json") ? (signedFieldsFromJson(req) ?? {}) : signedFieldsFromForm(req);
    const v = validateSigned(fields, cfg, { amount: true, currency: true });
    if (!v.ok) return sisErrorPage(res, v.code);
    const params: MerchantParams = v.params;
    const type = params.DS_MERCHANT_TRANSACTIONTYPE ?? "0";
    if (type !== "0" && type !== "1") return sisErrorPage(res, "SIS0023");
    const order = params.DS_MERCHANT_ORDER ?? "";
    // Every try needs a fresh order number, whatever became of the previous one.
    if (payments.has(order)) return sisErrorPage(res, "SIS0051");
    const p: Payment = {
      token: randomBytes(12).toString("hex"),
      order,
      amount: Number(params.DS_MERCHANT_AMOUNT),
      currency: params.DS_MERCHANT_CURRENCY ?? "978",
      transactionType: type,
      merchantUrl: params.DS_MERCHANT_MERCHANTURL,
      urlOk: params.DS_MERCHANT_URLOK,
      urlKo: params.DS_MERCHANT_URLKO,
      payMethods: params.DS_MERCHANT_PAYMETHODS ?? "",
      language: pageLanguage(params.DS_MERCHANT_CONSUMERLANGUAGE),
      merchantData: params.DS_MERCHANT_MERCHANTDATA ?? "",
      description: params.DS_MERCHANT_PRODUCTDESCRIPTION ?? "",
      bizumPhone: params.DS_MERCHANT_BIZUM_MOBILENUMBER,
      status: "pending",
      operations: [],
      refunded: 0,
      confirmed: 0,
      preauthCancelled: false,
      createdAt: new Date(),
    };
    payments.set(order, p);
    byToken.set(p.token, p);
    redirect(res, `${ctx.baseUrl()}${REDSYS_PREFIX}/sis/pago/${p.token}`);
  }

  function paymentPage(req: Request, res: ServerResponse): void {
    const p = byToken.get(req.params.token ?? "");
    if (!p) return sendHtml(res, 404, page("No encontrado", "<h1>Operación no encontrada</h1>"));
    if (p.status !== "pending") return sendHtml(res, 200, page("Operación finalizada", `<h1 id="result">Operación ya finalizada (${p.status})</h1>`));
    sendHtml(res, 200, paymentPageHtml({ ...p, merchantCode: cfg.merchantCode }));
  }

  function pendingPayment(req: Request, res: ServerResponse): Payment | undefined {
    const p = byToken.get(req.params.token ?? "");
    if (!p) {
      sendHtml(res, 404, page("No encontrado", "<h1>Operación no encontrada</h1>"));
      return undefined;
    }
    if (p.status !== "pending") {
      sendHtml(res, 409, page("Operación finalizada", `<h1 id="result">Operación ya finalizada (${p.status})</h1>`));
      return undefined;
    }
    return p;
  }

  function payByCard(req: Request, res: ServerResponse): void {
    const p = pendingPayment(req, res);
    if (!p) return;
    const f = formFields(req.rawBody);
    if (f.action === "cancel") return finish(res, p, { kind: "cancelled" }, "card");
    const pan = (f.pan ?? "").replace(/\s+/g, "");
    const expiry = /^(\d{2})\/?(\d{2})$/.exec((f.expiry ?? "").trim());
    const now = new Date();
    const month = Number(expiry?.[1] ?? 0);
    const year = 2000 + Number(expiry?.[2] ?? 0);
    const expiryOk = month >= 1 && month <= 12 && (year > now.getUTCFullYear() || (year === now.getUTCFullYear() && month >= now.getUTCMonth() + 1));
    if (!/^\d{13,19}$/.test(pan) || !expiryOk || !/^\d{3}$/.test(f.cvv ?? "")) {
      // Redsys validates the card form in the page; nothing is notified for a typo.
      return sendHtml(
        res,
        400,
        page("Datos no válidos", `<h1 id="result">Datos de tarjeta no válidos</h1><a href="${REDSYS_PREFIX}/sis/pago/${p.token}">Volver</a>`),
      );
    }
    const outcome: Outcome =
      pan === TEST_CARDS.authorised
        ? { kind: "authorised" }
        : pan === TEST_CARDS.authenticationFailed
          ? { kind: "denied", response: RESPONSE.authenticationFailed }
          : { kind: "denied", response: RESPONSE.denied };
    finish(res, p, outcome, "card");
  }

  function payByBizum(req: Request, res: ServerResponse): void {
    const p = pendingPayment(req, res);
    if (!p) return;
    if (p.payMethods === "C") return sendHtml(res, 400, page("No disponible", "<h1>Bizum no disponible</h1>"));
    const f = formFields(req.rawBody);
    if (f.action === "cancel") return finish(res, p, { kind: "cancelled" }, "bizum");
    const phone = (f.phone ?? "").replace(/\s+/g, "");
    if (!/^(\+34)?[67]\d{8}$/.test(phone)) {
      return sendHtml(res, 400, page("Teléfono no válido", `<h1 id="result">Teléfono no válido</h1><a href="${REDSYS_PREFIX}/sis/pago/${p.token}">Volver</a>`));
    }
    const outcome: Outcome = f.code === BIZUM_TEST_CODE ? { kind: "authorised" } : { kind: "denied", response: RESPONSE.authenticationFailed };
    finish(res, p, outcome, "bizum");
  }

  function trataPeticion(req: Request, res: ServerResponse): void {
    const fields = signedFieldsFromJson(req);
    if (!fields) return restError(res, "SIS0431");
    const v = validateSigned(fields, cfg, { amount: true, currency: true });
    if (!v.ok) return restError(res, v.code);
    const params = v.params;
    const order = params.DS_MERCHANT_ORDER ?? "";
    const type = params.DS_MERCHANT_TRANSACTIONTYPE ?? "";
    const amount = Number(params.DS_MERCHANT_AMOUNT);
    const p = payments.get(order);
    const authorisedAmount = (payment: Payment): number =>
      payment.transactionType === "1" ? payment.confirmed : payment.status === "authorised" ? payment.amount : 0;
    let response: string;
    switch (type) {
      case "3": {
        if (!p) return restError(res, "SIS0054");
        if (p.status !== "authorised" || authorisedAmount(p) === 0) return restError(res, "SIS0056");
        if (p.refunded + amount > authorisedAmount(p)) return restError(res, "SIS0057");
        p.refunded += amount;
        response = RESPONSE.refundOrConfirmationOk;
        break;
      }
      case "2": {
        if (!p || p.transactionType !== "1" || p.status !== "authorised" || p.preauthCancelled) return restError(res, "SIS0059");
        if (p.confirmed + amount > p.amount) return restError(res, "SIS0062");
        p.confirmed += amount;
        response = RESPONSE.refundOrConfirmationOk;
        break;
      }
      case "9": {
        if (!p || p.transactionType !== "1" || p.status !== "authorised" || p.confirmed > 0) return restError(res, "SIS0059");
        p.preauthCancelled = true;
        response = RESPONSE.cancellationOk;
        break;
      }
      default:
        // Direct card payments over REST (types 0/1 with card data) are not emulated.
        return restError(res, "SIS0023");
    }
    const op: Operation = { transactionType: type, amount, response, authorisationCode: authCode(), at: new Date(), payMethod: "" };
    p.operations.push(op);
    if (params.DS_MERCHANT_MERCHANTURL) notify(p, op, params.DS_MERCHANT_MERCHANTURL);
    signedResponse(res, order, {
      Ds_Amount: String(amount),
      Ds_Currency: p.currency,
      Ds_Order: order,
      Ds_MerchantCode: cfg.merchantCode,
      Ds_Terminal: cfg.terminal,
      Ds_Response: response,
      Ds_AuthorisationCode: op.authorisationCode,
      Ds_TransactionType: type,
      Ds_SecurePayment: "0",
      Ds_Language: "1",
      Ds_MerchantData: "",
      Ds_Card_Country: "724",
    });
  }

  /**
   * Operations query (our design, after Redsys's query service): a signed request naming the
   * order; a signed answer listing every operation on it, so reconciliation can find lost
   * notifications and expired sessions.
   */
  function queryOperations(req: Request, res: ServerResponse): void {
    const fields = signedFieldsFromJson(req);
    if (!fields) return restError(res, "SIS0431");
    const v = validateSigned(fields, cfg, { amount: false, currency: false });
    if (!v.ok) return restError(res, v.code);
    const order = v.params.DS_MERCHANT_ORDER ?? "";
    const p = payments.get(order);
    const operations = (p?.operations ?? []).map((op) => {
      const { date, hour } = madridDateTime(op.at);
      return {
        Ds_TransactionType: op.transactionType,
        Ds_Amount: String(op.amount),
        Ds_Currency: p?.currency ?? "978",
        Ds_Response: op.response,
        Ds_AuthorisationCode: op.authorisationCode,
        Ds_Date: date,
        Ds_Hour: hour,
        Ds_ProcessedPayMethod: op.payMethod === "bizum" ? "68" : op.payMethod === "card" ? "78" : "",
        Ds_State: "F",
      };
    });
    if (p && (p.status === "pending" || p.status === "expired")) {
      const { date, hour } = madridDateTime(p.createdAt);
      operations.push({
        Ds_TransactionType: p.transactionType,
        Ds_Amount: String(p.amount),
        Ds_Currency: p.currency,
        Ds_Response: "",
        Ds_AuthorisationCode: "",
        Ds_Date: date,
        Ds_Hour: hour,
        Ds_ProcessedPayMethod: "",
        Ds_State: p.status === "pending" ? "P" : "X",
      });
    }
    signedResponse(res, order, {
      Ds_Order: order,
      Ds_MerchantCode: cfg.merchantCode,
      Ds_Terminal: cfg.terminal,
      Ds_Found: p ? "S" : "N",
      Ds_Operations: operations,
    });
  }

  return {
    provider: "redsys",
    register(router: Router) {
      router.post(`${REDSYS_PREFIX}/sis/realizarPago`, startPayment);
      router.get(`${REDSYS_PREFIX}/sis/pago/:token`, paymentPage);
      router.post(`${REDSYS_PREFIX}/sis/pago/:token/card`, payByCard);
      router.post(`${REDSYS_PREFIX}/sis/pago/:token/bizum`, payByBizum);
      router.post(`${REDSYS_PREFIX}/sis/rest/trataPeticionREST`, trataPeticion);
      router.post(`${REDSYS_PREFIX}/sis/rest/consultaOperacionesREST`, queryOperations);
      router.post("/_control/redsys/backoffice/refund", backOfficeRefund);
    },
    listOrders(): OrderSummary[] {
      return [...payments.values()].map((p) => ({
        provider: "redsys",
        id: p.order,
        refs: [p.order],
        amount: `${(p.amount / 100).toFixed(2)} EUR`,
        status: p.refunded > 0 ? `${p.status}, refunded ${(p.refunded / 100).toFixed(2)}` : p.status,
        createdAt: p.createdAt.toISOString(),
      }));
    },
    reset() {
      payments.clear();
      byToken.clear();
    },
  };
}
