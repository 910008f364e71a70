// What every settings action returns to its form: stable codes the form translates (never a
// sentence built on the server), field errors by field name, and `at` to tell results apart.
export type SettingsError = "invalid" | "noEncryptionKey" | "notFound" | "smtpNotConfigured" | "smtpFailed" | "generic";

export type SettingsState =
  | { status: "idle" }
  | { status: "saved"; unchanged: boolean; at: number }
  | { status: "error"; error: SettingsError; fields?: Record<string, string>; detail?: string; at: number }
  | { status: "tested"; ok: boolean; reason?: string; detail?: string; at: number }
  | { status: "sent"; to: string; at: number }
  | { status: "removed"; at: number }
  | { status: "revoked"; at: number }
  | { status: "keyCreated"; key: string; name: string; at: number };

export const idleSettingsState: SettingsState = { status: "idle" };

export type SettingsAction = (previous: SettingsState, formData: FormData) => Promise<SettingsState>;
