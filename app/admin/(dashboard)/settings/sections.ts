// The settings sections, in the order the navigation lists them (each is a sub-page).
export const settingsSections = ["academy", "methods", "providers", "policies", "billing", "reminders", "email", "campus", "api-keys", "audit"] as const;
export type SettingsSection = (typeof settingsSections)[number];
