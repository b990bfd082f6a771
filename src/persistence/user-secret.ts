import { randomBytes } from 'node:crypto';
import { SpecterError } from '../errors/index.js';
import { Fernet, InvalidTokenError } from './fernet.js';
import { pbkdf2Sha256 } from './kdf.js';

/**
 * Specter Desktop's user secret (`user.py`), exactly: a Fernet key that encrypts the user's
 * extension data, stored in `users.json` wrapped with the login password:
 *
 *   salt    = 16 random bytes (stored as std base64)
 *   wrapKey = urlsafe_b64(PBKDF2-HMAC-SHA256(password UTF-8, salt, iterations, 32 bytes))
 *   token   = Fernet(wrapKey).encrypt(secret's 44 ASCII characters)
 *   record  = {"token", "salt", "iterations"}
 *
 * Unwrapping uses the *stored* iteration count; a record below today's count should be re-wrapped
 * by the caller (Specter does this at login), which `needsRewrap` signals. The data key itself
 * never changes when the password does: only its wrapping.
 */

/** Specter's current `encryption_iterations`; raise it over time, old records get re-wrapped. */
export const USER_SECRET_ITERATIONS = 390_000;

export interface WrappedUserSecret {
  token: string;
  salt: string;
  iterations: number;
}

/** The wrap key, derived on the dedicated key-derivation worker (never libuv's file-reading pool). */
async function wrapKey(password: string, salt: Buffer, iterations: number): Promise<Fernet> {
  const derived = await pbkdf2Sha256(password, salt, iterations, 32);
  return new Fernet(derived);
}

/** A fresh user secret: a Fernet key as 44 characters of urlsafe base64. */
export function generateUserSecret(): string {
  return Fernet.generateKey();
}

export async function wrapUserSecret(secret: string, password: string, iterations: number = USER_SECRET_ITERATIONS): Promise<WrappedUserSecret> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new SpecterError('VALIDATION', `iterations must be a positive integer, got ${String(iterations)}.`);
  }
  new Fernet(secret); // refuse to wrap something that is not a usable key (CRYPTO_BAD_KEY)
  const salt = randomBytes(16);
  const token = (await wrapKey(password, salt, iterations)).encrypt(Buffer.from(secret, 'ascii'));
  return { token, salt: salt.toString('base64'), iterations };
}

/**
 * The plaintext secret. A wrong password (or a damaged record) is an InvalidTokenError, as
 * Python's `InvalidToken`. No TTL: a wrapped secret never expires.
 */
export async function unwrapUserSecret(record: WrappedUserSecret, password: string): Promise<{ secret: string; needsRewrap: boolean }> {
  const { token, salt, iterations } = record ?? ({} as Partial<WrappedUserSecret>);
  if (typeof token !== 'string' || typeof salt !== 'string' || !Number.isSafeInteger(iterations) || iterations < 1) {
    throw new InvalidTokenError('The encrypted_user_secret record is malformed: it needs token, salt and a positive integer iterations.', {
      reason: 'record',
    });
  }
  const fernet = await wrapKey(password, Buffer.from(salt, 'base64'), iterations);
  const secret = fernet.decrypt(token).toString('latin1');
  try {
    new Fernet(secret);
  } catch (err) {
    throw new SpecterError('CRYPTO_BAD_KEY', 'The unwrapped user secret is not a Fernet key; the encrypted_user_secret record is damaged.', {
      cause: err,
    });
  }
  return { secret, needsRewrap: iterations < USER_SECRET_ITERATIONS };
}
