// What every settings action answers its form: the shared form result with the settings codes
// the form translates (never a sentence built on the server), field codes by field name, and
// `at` to tell results apart.
import type { ActionState } from "@/lib/actions/state";

export type SettingsError = "noEncryptionKey" | "notFound" | "smtpNotConfigured" | "smtpFailed";

export type SettingsDone =
  | { status: "saved"; unchanged: boolean; at: number }
  | { status: "tested"; ok: boolean; reason?: string; detail?: string; at: number }
  | { status: "sent"; to: string; at: number }
  | { status: "removed"; at: number }
  | { status: "revoked"; at: number }
  | { status: "keyCreated"; key: string; name: string; at: number };

export type SettingsState = ActionState<SettingsDone, SettingsError>;

export const idleSettingsState: SettingsState = { status: "idle" };

export type SettingsAction = (previous: SettingsState, formData: FormData) => Promise<SettingsState>;
