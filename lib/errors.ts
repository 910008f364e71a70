// The failures the app expects and names. Each is an AppError with a stable code: callers and
// screens branch on the code, never on the message (which is for logs). Anything that is not an
// AppError is a bug: whoever catches it logs it in full and shows people a plain message.
// `shownCode` is the one mapping from an AppError to what a caller may be told; the action
// client (lib/actions/client.ts) and the REST API (lib/api/errors.ts) both answer through it.

export type ErrorDetail = Readonly<Record<string, string | number>>;

export class AppError<Code extends string = string> extends Error {
  readonly code: Code;
  /** Values a message about the failure may show (seats taken, a limit). */
  readonly detail?: ErrorDetail;

  constructor(code: Code, message: string, options: { cause?: unknown; detail?: ErrorDetail } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.detail) this.detail = options.detail;
    this.name = "AppError";
  }
}

/**
 * The codes a caller can word: a list (shown as they are), or a map from the domain's code to
 * the caller's name for it (e.g. `course_not_found` → `not_found`).
 */
export type ShownCodes<C extends string> = readonly C[] | Readonly<Partial<Record<string, C>>>;

/**
 * What a caller is told about `error`: its code when the caller can word it, otherwise
 * undefined (not an AppError, or a code the caller has no words for): the caller then logs the
 * error in full and answers with its generic failure.
 */
export function shownCode<C extends string>(error: unknown, shown: ShownCodes<C>): C | undefined {
  if (!(error instanceof AppError)) return undefined;
  const code: string = error.code;
  if (isList(shown)) return shown.find((candidate) => candidate === code);
  return Object.hasOwn(shown, code) ? shown[code] : undefined;
}

function isList<C extends string>(shown: ShownCodes<C>): shown is readonly C[] {
  return Array.isArray(shown);
}
