import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Specter Desktop's login password hash (`user.py` hash_password / verify_password), exactly, so
 * a `users.json` from Specter keeps working:
 *
 * - salt    = std base64 of sha256(60 random bytes), 44 characters;
 * - pwdhash = std base64 of PBKDF2-HMAC-SHA256(password UTF-8, salt, 10,000 iterations, 32 bytes),
 *   where the salt is used as the ASCII bytes of its base64 *text*, not decoded (Specter's quirk).
 *
 * 10,000 iterations is weak by today's standards but is what Specter stores; changing it would
 * break compatibility. The async pbkdf2 keeps the event loop free during a login.
 */

export const PASSWORD_HASH_ITERATIONS = 10_000;

export interface PasswordHash {
  salt: string;
  pwdhash: string;
}

const pbkdf2Async = promisify(pbkdf2);

function derive(password: string, salt: string): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), PASSWORD_HASH_ITERATIONS, 32, 'sha256');
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = createHash('sha256').update(randomBytes(60)).digest('base64');
  const pwdhash = (await derive(password, salt)).toString('base64');
  return { salt, pwdhash };
}

/** True when `password` matches the stored hash. Compared in constant time; a malformed record is false. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored?.salt !== 'string' || typeof stored?.pwdhash !== 'string') {
    return false;
  }
  const actual = await derive(password, stored.salt);
  const expected = Buffer.from(stored.pwdhash, 'base64');
  // timingSafeEqual needs equal lengths; a wrong-length record can never match anyway.
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
