/**
 * Base58Check for 78-byte extended keys. SLIP-132 conversion must swap the 4 version bytes of
 * a key that bip32/bitcoinjs would refuse to parse (ypub, Zpub…), so we need the raw payload.
 * Small and self-contained (node:crypto for the checksum) rather than reaching into a transitive
 * dependency of bitcoinjs-lib.
 */
import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, BigInt(i)]));

function checksum(payload: Uint8Array): Buffer {
  const once = createHash('sha256').update(payload).digest();
  return createHash('sha256').update(once).digest().subarray(0, 4);
}

export function base58Encode(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/** Decode, or null when a character is outside the alphabet. */
export function base58Decode(text: string): Uint8Array | null {
  let n = 0n;
  for (const c of text) {
    const v = INDEX.get(c);
    if (v === undefined) return null;
    n = n * 58n + v;
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of text) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

export function base58CheckEncode(payload: Uint8Array): string {
  const full = new Uint8Array(payload.length + 4);
  full.set(payload);
  full.set(checksum(payload), payload.length);
  return base58Encode(full);
}

/** Payload without its 4-byte checksum, or null when decoding or the checksum fails. */
export function base58CheckDecode(text: string): Uint8Array | null {
  const full = base58Decode(text);
  if (!full || full.length < 5) return null;
  const payload = full.subarray(0, -4);
  return checksum(payload).equals(full.subarray(-4)) ? payload : null;
}
