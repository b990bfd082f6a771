/**
 * Base58Check for 78-byte extended keys, on the maintained `bs58check` package. SLIP-132
 * conversion must swap the 4 version bytes of a key that bip32/bitcoinjs would refuse to parse
 * (ypub, Zpub…), so callers need the raw payload rather than a parsed node.
 */
import bs58check from 'bs58check';

export function base58CheckEncode(payload: Uint8Array): string {
  return bs58check.encode(payload);
}

/**
 * Recently decoded texts: loading a wallet decodes each of its keys when the descriptor is parsed
 * and again for each branch's derivation plan, and Base58 plus two pure-JS SHA-256 runs cost
 * ~0.2 ms a key. Keys are public; entries are copied out, so a caller may change its bytes.
 */
const decoded = new Map<string, Uint8Array | null>();
const DECODED_MAX = 1_024;

/** Payload without its 4-byte checksum, or null when decoding or the checksum fails. */
export function base58CheckDecode(text: string): Uint8Array | null {
  if (typeof text !== 'string') return null;
  let payload = decoded.get(text);
  if (payload === undefined) {
    const raw = bs58check.decodeUnsafe(text);
    payload = raw && raw.length > 0 ? Uint8Array.from(raw) : null;
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
    decoded.set(text, payload);
  }
  return payload && Uint8Array.from(payload);
}
