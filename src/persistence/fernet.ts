import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SpecterError } from '../errors/index.js';

/**
 * Fernet (https://github.com/fernet/spec), byte-compatible with Python's `cryptography.fernet`,
 * which Specter Desktop uses for the user secret and for encrypted extension data.
 *
 * token = base64url(0x80 ‖ 8-byte big-endian Unix time ‖ 16-byte IV ‖ AES-128-CBC/PKCS7
 *         ciphertext ‖ HMAC-SHA256 of everything before), key = signing key (16) ‖ AES key (16).
 *
 * Our own ~100 lines on node:crypto rather than an npm package: the packages checked either pull
 * in crypto-js with a 60 s default TTL, or only handle UTF-8 strings (library-choices.md §3).
 */

const VERSION = 0x80;
const HEADER = 1 + 8 + 16; // version, timestamp, IV
const MAC = 32;
/** Python's `_MAX_CLOCK_SKEW`: with a TTL, tokens from more than 60 s in the future are refused. */
const MAX_CLOCK_SKEW = 60;
const KEY_RE = /^[A-Za-z0-9_-]{43}=?$/;
const TOKEN_RE = /^[A-Za-z0-9_-]+=*$/;

/** base64url *with* `=` padding: Python's urlsafe_b64decode rejects unpadded input. */
function b64url(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export class InvalidTokenError extends SpecterError {
  constructor(message = 'Invalid Fernet token: it is malformed, was altered, or was made with another key.', details: Record<string, unknown> = {}) {
    super('CRYPTO_INVALID_TOKEN', message, { details });
    this.name = 'InvalidTokenError';
  }
}

function badKey(what: string): SpecterError {
  // Never put the key itself in the message or details: it is a secret.
  return new SpecterError('CRYPTO_BAD_KEY', `Invalid Fernet key: ${what}.`, {
    hint: 'A Fernet key is 32 random bytes in urlsafe base64 (44 characters), as made by Fernet.generateKey().',
  });
}

/** Raw 32 bytes from a key given as its base64 text (string or ASCII bytes) or as the raw bytes. */
function keyBytes(key: string | Buffer): Buffer {
  if (Buffer.isBuffer(key) && key.length === 32) return Buffer.from(key);
  const text = Buffer.isBuffer(key) ? key.toString('latin1') : key;
  if (typeof text !== 'string') throw badKey('it must be a string or a Buffer');
  if (!KEY_RE.test(text)) throw badKey('it is not 44 characters of urlsafe base64');
  return Buffer.from(text, 'base64url');
}

export class Fernet {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  /** `key`: the 44-character urlsafe base64 text (string or its ASCII bytes) or the raw 32 bytes. */
  constructor(key: string | Buffer) {
    const raw = keyBytes(key);
    this.#signingKey = raw.subarray(0, 16);
    this.#encryptionKey = raw.subarray(16, 32);
  }

  /** A new random key as 44-character urlsafe base64 text, like Python's `Fernet.generate_key()`. */
  static generateKey(): string {
    return b64url(randomBytes(32));
  }

  /** Encrypt bytes (a string is taken as UTF-8). `now` (Unix seconds) is for tests. */
  encrypt(data: Buffer | string, now: number = Math.floor(Date.now() / 1000)): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', this.#encryptionKey, iv); // PKCS7 padding is the default
    const plain = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64BE(BigInt(Math.floor(now)));
    const body = Buffer.concat([Buffer.from([VERSION]), timestamp, iv, cipher.update(plain), cipher.final()]);
    const mac = createHmac('sha256', this.#signingKey).update(body).digest();
    return b64url(Buffer.concat([body, mac]));
  }

  /**
   * Decrypt a token (string or its ASCII bytes). With `ttl` (seconds) a token older than that, or
   * more than 60 s in the future, is refused, as in Python. `now` (Unix seconds) is for tests.
   * Any failure is an InvalidTokenError; the MAC is checked (in constant time) before anything else.
   */
  decrypt(token: string | Buffer, ttl?: number, now: number = Date.now() / 1000): Buffer {
    const text = Buffer.isBuffer(token) ? token.toString('latin1') : token;
    if (typeof text !== 'string' || !TOKEN_RE.test(text)) throw new InvalidTokenError(undefined, { reason: 'format' });
    const raw = Buffer.from(text, 'base64url');
    if (raw.length < HEADER + 16 + MAC || raw[0] !== VERSION || (raw.length - HEADER - MAC) % 16 !== 0) {
      throw new InvalidTokenError(undefined, { reason: 'format' });
    }
    const body = raw.subarray(0, raw.length - MAC);
    const expected = createHmac('sha256', this.#signingKey).update(body).digest();
    if (!timingSafeEqual(expected, raw.subarray(raw.length - MAC))) {
      throw new InvalidTokenError(undefined, { reason: 'signature' });
    }
    if (ttl !== undefined) {
      const issued = Number(raw.readBigUInt64BE(1));
      if (issued + ttl < now) throw new InvalidTokenError('Fernet token has expired.', { reason: 'expired' });
      if (now + MAX_CLOCK_SKEW < issued) throw new InvalidTokenError('Fernet token is from the future.', { reason: 'clock-skew' });
    }
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.#encryptionKey, raw.subarray(9, HEADER));
      return Buffer.concat([decipher.update(raw.subarray(HEADER, raw.length - MAC)), decipher.final()]);
    } catch {
      throw new InvalidTokenError(undefined, { reason: 'padding' });
    }
  }
}
