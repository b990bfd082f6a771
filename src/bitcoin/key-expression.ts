/**
 * BIP-380/389 key expressions: `[fingerprint/origin]KEY/derivation/…/*`, where KEY is an
 * xpub/tpub or a hex public key, and one derivation step may be a multipath tuple `<0;1>`.
 *
 * Specter TS is watch-only, so private keys (WIF, xprv) and hardened steps after the key (which
 * need the private key) are refused with a message that says what to paste instead.
 */
import { SpecterError } from '../errors/index.js';
import { base58CheckDecode } from './base58.js';
import { parseExtendedKey, type ExtendedKey } from './keys.js';
import { HARDENED, formatKeyOrigin, formatPathSteps, parseKeyOrigin, type KeyOrigin } from './paths.js';
import { secpBackend } from './secp.js';

/** Where a key sits decides which encodings are legal (BIP-382 compressed-only, BIP-386 x-only). */
export type KeyContext = 'legacy' | 'segwit' | 'tr';

export interface KeyExpression {
  origin: KeyOrigin | null;
  xpub: ExtendedKey | null;
  /** Hex public key: 33 bytes compressed, 65 uncompressed (legacy only) or 32 x-only (tr only). */
  pubkey: Uint8Array | null;
  /** Unhardened steps after the xpub; an array is a multipath tuple (BIP-389). */
  steps: Array<number | number[]>;
  /** Ends in `/*`: one key per address index. */
  wildcard: boolean;
}

function keyError(message: string, where: string, hint?: string): SpecterError {
  return new SpecterError('KEY_INVALID', `${where}: ${message}`, { hint, details: { where } });
}

function isWif(text: string): boolean {
  // A WIF is 33 or 34 bytes plus checksum: 51 or 52 Base58 characters. Anything else (an xpub is
  // 111) is not one, without decoding it (wallets parse their keys at every load).
  if (text.length < 50 || text.length > 53) return false;
  const payload = base58CheckDecode(text);
  return !!payload && (payload.length === 33 || payload.length === 34) && (payload[0] === 0x80 || payload[0] === 0xef);
}

function parseStep(step: string, where: string): number {
  if (/^\d+(h|H|')$/.test(step)) {
    throw keyError(
      `hardened step "${step}" after the extended key needs its private key.`,
      where,
      'Put the xpub derived at the last hardened step in the descriptor and move the hardened steps into the key origin, e.g. [fingerprint/84h/0h/0h]xpub…/0/*.',
    );
  }
  if (!/^\d+$/.test(step) || Number(step) >= HARDENED) {
    throw keyError(`"${step}" is not a derivation step (a number below 2147483648, "*" or a tuple like <0;1>).`, where);
  }
  return Number(step);
}

function parseMultipath(step: string, where: string): number[] {
  const inner = step.slice(1, -1);
  const values = inner.split(';');
  if (values.length < 2 || values.some((v) => v === '')) {
    throw keyError(`multipath step "${step}" needs at least two values separated by ";", like <0;1>.`, where);
  }
  const parsed = values.map((v) => parseStep(v, where));
  if (new Set(parsed).size !== parsed.length) throw keyError(`multipath step "${step}" repeats a value.`, where);
  return parsed;
}

function parseHexKey(hex: string, context: KeyContext, where: string): Uint8Array {
  const bytes = Buffer.from(hex, 'hex');
  const len = bytes.length;
  const shapeOk = (len === 33 && (bytes[0] === 2 || bytes[0] === 3)) || (len === 65 && bytes[0] === 4) || len === 32;
  if (!shapeOk || hex.length !== len * 2) {
    throw keyError(`"${hex.slice(0, 12)}…" is not a public key (66 hex characters starting 02/03, or 64 x-only in tr()).`, where);
  }
  if (len === 32 && context !== 'tr') throw keyError('an x-only (64 hex) key is only allowed inside tr().', where);
  if (len === 65 && context !== 'legacy') {
    throw keyError(
      `an uncompressed public key is not allowed in ${context === 'tr' ? 'tr()' : 'segwit (wpkh/wsh)'} descriptors.`,
      where,
      'Use the 33-byte compressed form (02… or 03…).',
    );
  }
  // x-only keys are checked as their even-y lift (BIP-340), which every backend's isPoint accepts.
  const point = len === 32 ? Buffer.concat([Buffer.from([2]), bytes]) : bytes;
  if (!secpBackend.ecc.isPoint(point)) throw keyError(`"${hex.slice(0, 12)}…" is not a point on the secp256k1 curve.`, where);
  return new Uint8Array(bytes);
}

/** Parse one key expression; `where` names it in messages ("key 2 of wsh(sortedmulti(…))"). */
export function parseKeyExpression(text: string, context: KeyContext, where: string): KeyExpression {
  let rest = text;
  let origin: KeyOrigin | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0)
      throw new SpecterError('KEY_ORIGIN_INVALID', `${where}: key origin "[" is not closed with "]".`, {
        hint: 'Write it as [fingerprint/path], e.g. [73c5da0a/84h/0h/0h].',
      });
    origin = parseKeyOrigin(rest.slice(0, close + 1));
    rest = rest.slice(close + 1);
    if (rest.startsWith('['))
      throw new SpecterError('KEY_ORIGIN_INVALID', `${where}: more than one key origin.`, {
        hint: 'A key has at most one [fingerprint/path] in front of it.',
      });
  }
  if (rest.includes('[') || rest.includes(']')) {
    throw new SpecterError('KEY_ORIGIN_INVALID', `${where}: misplaced "[" or "]"; the key origin must come first, as [fingerprint/path]KEY.`);
  }
  if (!rest) throw keyError('the key origin is not followed by a key.', where);

  const [keyText, ...pathParts] = rest.split('/');
  if (/^[0-9a-fA-F]+$/.test(keyText!)) {
    if (pathParts.length)
      throw keyError('a plain public key cannot have derivation steps.', where, 'Only extended keys (xpub/tpub) can be followed by /0/*.');
    return { origin, xpub: null, pubkey: parseHexKey(keyText!, context, where), steps: [], wildcard: false };
  }
  if (isWif(keyText!)) {
    throw keyError('this is a private key (WIF).', where, 'Use the public key or xpub; Specter TS never stores private keys.');
  }
  const xpub = parseExtendedKey(keyText!, { where });
  if (xpub.prefix !== 'xpub' && xpub.prefix !== 'tpub') {
    throw keyError(
      `descriptors take xpub/tpub keys, not ${xpub.prefix}.`,
      where,
      `Use the same key in ${xpub.network === 'main' ? 'xpub' : 'tpub'} form: ${xpub.xpub}`,
    );
  }

  const steps: Array<number | number[]> = [];
  let wildcard = false;
  for (const part of pathParts) {
    if (wildcard) throw keyError('"*" must be the last derivation step.', where);
    if (part === '') throw keyError('empty derivation step (double or trailing "/").', where);
    if (part === '*') {
      wildcard = true;
      continue;
    }
    if (/^\*(h|H|')$/.test(part)) {
      throw keyError('hardened wildcard "/*h" needs the private key.', where, 'Use an unhardened wildcard "/*".');
    }
    if (part.startsWith('<') || part.endsWith('>')) {
      if (!(part.startsWith('<') && part.endsWith('>'))) throw keyError(`multipath step "${part}" must be written <a;b>.`, where);
      if (steps.some(Array.isArray)) throw keyError('only one multipath step <…;…> is allowed per key.', where);
      steps.push(parseMultipath(part, where));
      continue;
    }
    steps.push(parseStep(part, where));
  }
  return { origin, xpub, pubkey: null, steps, wildcard };
}

/** Render the steps after a key: "/<0;1>/*", "/0/*", "" (alternative `pick` resolves tuples). */
export function formatKeySteps(key: KeyExpression, pick?: (tuple: number[]) => number | number[]): string {
  let out = '';
  for (const step of key.steps) {
    const s = Array.isArray(step) && pick ? pick(step) : step;
    out += Array.isArray(s) ? `/<${s.join(';')}>` : `/${formatPathSteps([s])}`;
  }
  return key.wildcard ? `${out}/*` : out;
}

/** Canonical text of the key itself with its origin (no steps). */
export function formatKeyHead(key: KeyExpression): string {
  const head = key.xpub ? key.xpub.xpub : Buffer.from(key.pubkey!).toString('hex');
  return key.origin ? formatKeyOrigin(key.origin) + head : head;
}
