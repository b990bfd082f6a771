import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { pbkdf2Sha256 } from './kdf.js';

/**
 * Specter Desktop's login password hash (`user.py` hash_password / verify_password), exactly, so
 * a `users.json` from Specter keeps working:
 *
 * - salt    = std base64 of sha256(60 random bytes), 44 characters;
 * - pwdhash = std base64 of PBKDF2-HMAC-SHA256(password UTF-8, salt, 10,000 iterations, 32 bytes),
 *   where the salt is used as the ASCII bytes of its base64 *text*, not decoded (Specter's quirk).
 *
 * 10,000 iterations is weak by today's standards but is what Specter stores; changing it would
 * break compatibility. The derivation runs on the dedicated key-derivation worker (kdf.ts), so a
 * login keeps both the event loop and libuv's file-reading thread pool free.
 */

export const PASSWORD_HASH_ITERATIONS = 10_000;

export interface PasswordHash {
  salt: string;
  pwdhash: string;
}

function derive(password: string, salt: string): Promise<Buffer> {
  return pbkdf2Sha256(password, salt, PASSWORD_HASH_ITERATIONS, 32);
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = createHash('sha256').update(randomBytes(60)).digest('base64');
  const pwdhash = (await derive(password, salt)).toString('base64');
  return { salt, pwdhash };
}

/** True when `password` matches the stored hash. Compared in constant time; a malformed record is false. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored?.salt !== 'string' || typeof stored?.pwdhash !== 'string') {
    await dummyCheck(typeof password === 'string' ? password : '');
    return false;
  }
  const actual = await derive(password, stored.salt);
  const expected = Buffer.from(stored.pwdhash, 'base64');
  // timingSafeEqual needs equal lengths; a wrong-length record can never match anyway.
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

/** A salt shaped like Specter's (44 characters of base64), made once per process. */
const DUMMY_SALT = createHash('sha256').update(randomBytes(60)).digest('base64');

/**
 * Runs the same derivation a real check runs (same iterations, a salt of the same shape) and
 * answers false. Callers use it when there is no user (or no password) to check, so an unknown
 * username costs what a known one costs and its existence does not leak through timing.
 */
export async function dummyCheck(password: string): Promise<false> {
  await derive(password, DUMMY_SALT);
  return false;
}
