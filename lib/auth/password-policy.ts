// What a staff password must be: at least 12 characters and not the e-mail (nor its name part).
// Shared by the account page (own password) and user management (set or reset by an admin).
import { randomBytes } from "node:crypto";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

export type PasswordProblem = "tooShort" | "tooLong" | "likeEmail";

export function passwordProblem(password: string, email: string): PasswordProblem | undefined {
  const length = [...password.normalize("NFKC")].length;
  if (length < MIN_PASSWORD_LENGTH) return "tooShort";
  if (length > MAX_PASSWORD_LENGTH) return "tooLong";
  const lower = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split("@")[0] ?? address;
  if (lower === address || lower === local || lower.includes(address)) return "likeEmail";
  return undefined;
}

/** A password for a new user or a reset, shown to the admin once: 16 unambiguous characters in groups. */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  // 256 is not a multiple of the alphabet's 56 letters: bytes past the last whole multiple are skipped.
  const usable = 256 - (256 % alphabet.length);
  const chars: string[] = [];
  while (chars.length < 16) {
    for (const byte of randomBytes(32)) {
      if (byte < usable && chars.length < 16) chars.push(alphabet[byte % alphabet.length]!);
    }
  }
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}
