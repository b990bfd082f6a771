/**
 * BIP-32 derivation paths and key origins (`[73c5da0a/84h/0h/0h]`).
 *
 * Both hardened markers `h` and `'` are read; everything is written with `h` (Bitcoin Core ≥ 25 and
 * HWI emit `h`). `H` is refused, as Bitcoin Core refuses it. Only the descriptor hand-over to
 * bitcoinerlab rewrites `h` back to `'` (its PSBT code mis-serialises `h`, see library-choices §1).
 */
import { SpecterError } from '../errors/index.js';

export const HARDENED = 0x80000000;

export interface KeyOrigin {
  /** 8 lowercase hex characters: the master key fingerprint. */
  fingerprint: string;
  /** Steps with the hardened bit set, e.g. [84|H, 0|H, 0|H]. */
  path: number[];
}

function originError(message: string, text: string, hint?: string): SpecterError {
  return new SpecterError('KEY_ORIGIN_INVALID', message, {
    hint: hint ?? 'Write it as [fingerprint/path], e.g. [73c5da0a/84h/0h/0h]: 8 hex digits, then steps like 84h or 0.',
    details: { origin: text },
  });
}

/** One path step ("84h", "84'", "0") → number with the hardened bit, or an error naming the step. */
export function parsePathStep(step: string, where: string): number {
  const m = /^(\d+)(h|')?$/.exec(step);
  if (!m) {
    const why = /^\d+H$/.test(step)
      ? `"${step}" uses H as hardened marker; write ${step.slice(0, -1)}h or ${step.slice(0, -1)}'`
      : `"${step}" is not a path step (a number, optionally followed by h or ')`;
    throw originError(`Invalid derivation step in ${where}: ${why}.`, where);
  }
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n >= HARDENED) {
    throw originError(`Invalid derivation step in ${where}: ${m[1]} is out of range (maximum 2147483647).`, where);
  }
  return m[2] ? n + HARDENED : n;
}

/** Parse "m/84h/0h/0h", "84'/0'/0'", "/84h/0h" or "m" into steps. */
export function parseDerivationPath(text: string): number[] {
  let body = text.trim();
  if (body === 'm' || body === '') return [];
  if (body.startsWith('m/')) body = body.slice(2);
  else if (body.startsWith('/')) body = body.slice(1);
  const parts = body.split('/');
  if (parts.some((p) => p === '')) throw originError(`Invalid derivation path "${text}": empty step.`, text);
  return parts.map((p) => parsePathStep(p, `path "${text}"`));
}

export function formatPathSteps(steps: readonly number[]): string {
  return steps.map((s) => (s >= HARDENED ? `${s - HARDENED}h` : String(s))).join('/');
}

/** "m/84h/0h/0h" (Specter's `derivation` field form). */
export function formatDerivationPath(steps: readonly number[]): string {
  return steps.length ? `m/${formatPathSteps(steps)}` : 'm';
}

export function parseFingerprint(text: string, where = text): string {
  if (!/^[0-9a-fA-F]{8}$/.test(text)) {
    throw originError(`Invalid key origin ${where}: the fingerprint "${text}" must be exactly 8 hex characters.`, where);
  }
  return text.toLowerCase();
}

/** Parse "[73c5da0a/84h/0h/0h]" (brackets required). */
export function parseKeyOrigin(text: string): KeyOrigin {
  const m = /^\[([^\]]*)\]$/.exec(text.trim());
  if (!m) throw originError(`Invalid key origin "${text}": it must be enclosed in [ ].`, text);
  const parts = m[1]!.split('/');
  const fingerprint = parseFingerprint(parts[0]!, text);
  const rest = parts.slice(1);
  if (rest.some((p) => p === '')) {
    throw originError(`Invalid key origin ${text}: empty path step (trailing or double slash).`, text);
  }
  return { fingerprint, path: rest.map((p) => parsePathStep(p, `key origin ${text}`)) };
}

/** "[73c5da0a/84h/0h/0h]" */
export function formatKeyOrigin(origin: KeyOrigin): string {
  return origin.path.length ? `[${origin.fingerprint}/${formatPathSteps(origin.path)}]` : `[${origin.fingerprint}]`;
}
