/**
 * Base58Check for 78-byte extended keys, on the maintained `bs58check` package. SLIP-132
 * conversion must swap the 4 version bytes of a key that bip32/bitcoinjs would refuse to parse
 * (ypub, Zpub…), so callers need the raw payload rather than a parsed node.
 */
import bs58check from 'bs58check';

export function base58CheckEncode(payload: Uint8Array): string {
  return bs58check.encode(payload);
}

/** Payload without its 4-byte checksum, or null when decoding or the checksum fails. */
export function base58CheckDecode(text: string): Uint8Array | null {
  if (typeof text !== 'string') return null;
  const payload = bs58check.decodeUnsafe(text);
  return payload && payload.length > 0 ? payload : null;
}
