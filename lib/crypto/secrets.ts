// Encryption of secrets stored in the database (provider credentials, the campus token, outgoing
// webhook secrets), AES-256-GCM with the 32-byte APP_ENCRYPTION_KEY.
//
// Format: `v1:<iv>:<tag>:<ciphertext>`, each part base64url without padding; iv is 12 random
// bytes, tag GCM's 16-byte authentication tag, ciphertext the UTF-8 plaintext encrypted. The
// version prefix lets a future key rotation or algorithm change coexist with stored values.
// GCM authenticates: any change to iv, tag or ciphertext (or the wrong key) fails decryption.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeEncryptionKey, env } from "@/lib/env";
import { AppError } from "@/lib/errors";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretDecryptionError extends AppError<"secret_undecryptable"> {
  constructor(reason: string) {
    super("secret_undecryptable", `Cannot decrypt the stored secret: ${reason}`);
    this.name = "SecretDecryptionError";
  }
}

export function encryptSecret(plaintext: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export function decryptSecret(stored: string, key: Buffer): string {
  assertKey(key);
  const parts = stored.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptionError(`not a ${VERSION} value`);
  const [, ivText = "", tagText = "", dataText = ""] = parts;
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError("malformed iv or tag");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(dataText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // GCM says only "unable to authenticate": a tampered value and a wrong key look the same.
    throw new SecretDecryptionError("tampered value or wrong APP_ENCRYPTION_KEY");
  }
}

/** The key from APP_ENCRYPTION_KEY, or undefined when it is not configured. */
export function appEncryptionKey(): Buffer | undefined {
  const value = env().APP_ENCRYPTION_KEY;
  return value === undefined ? undefined : decodeEncryptionKey(value);
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new Error("The encryption key must be 32 bytes (AES-256)");
}
