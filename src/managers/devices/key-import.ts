/**
 * Key import for devices: pasted text (one key per line or whitespace separated, each
 * `[fingerprint/path]xpub` with an optional `/0/*` tail), Coldcard's JSON exports, or key objects.
 * Every key is validated by the crypto engine; errors name the line or JSON section.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SpecterError } from '../../errors/index.js';
import {
  HARDENED,
  MULTISIG_SCRIPT_TYPES,
  SINGLE_SIG_SCRIPT_TYPES,
  formatKeyOrigin,
  parseDerivationPath,
  parseFingerprint,
  parseKeyWithOrigin,
  type ScriptType,
} from '../../bitcoin/index.js';
import type { DeviceKey } from './device.js';

/** A key given as fields (API/JSON callers) instead of text. */
export interface DeviceKeyFields {
  xpub: string;
  originFingerprint?: string | null;
  fingerprint?: string | null;
  derivation?: string | null;
  scriptType?: ScriptType | null;
}

export type DeviceKeysInput = string | ReadonlyArray<string | DeviceKeyFields>;

const ALL_SCRIPT_TYPES: readonly string[] = [...SINGLE_SIG_SCRIPT_TYPES, ...MULTISIG_SCRIPT_TYPES];

/** Most keys one paste (or one device) may hold: a real device export has fewer than 20. */
export const MAX_DEVICE_KEYS = 100;
/** Most characters of pasted key text (100 keys with origins are about 15,000). */
export const MAX_DEVICE_KEYS_TEXT = 64 * 1024;
/**
 * Keys parsed between two turns of the event loop in {@link parseDeviceKeysAsync}: one key takes
 * well under a millisecond (base58check and a point check), so a chunk stays far below 50 ms.
 */
export const KEYS_PER_TURN = 10;

/** Script type a standard derivation path implies (BIP-44/45/48/49/84/86), or null. */
export function scriptTypeFromPath(path: readonly number[]): ScriptType | null {
  const hardened = (i: number) => (path[i] !== undefined && path[i]! >= HARDENED ? path[i]! - HARDENED : null);
  switch (hardened(0)) {
    case 44:
      return 'pkh';
    case 45:
      return 'sh';
    case 49:
      return 'sh-wpkh';
    case 84:
      return 'wpkh';
    case 86:
      return 'tr';
    case 48:
      return hardened(3) === 1 ? 'sh-wsh' : hardened(3) === 2 ? 'wsh' : null;
    default:
      return null;
  }
}

/** One key from text; `where` names the line or section in errors. */
export function parseDeviceKey(text: string, where: string, explicitType?: ScriptType | null): DeviceKey {
  const k = parseKeyWithOrigin(text, { where });
  let fingerprint = k.fingerprint;
  let derivation = k.originPath;
  // A master key (depth 0) is its own origin.
  if (!k.origin && k.key.depth === 0) {
    fingerprint = k.key.fingerprint;
    derivation = 'm';
  }
  if (explicitType != null && !ALL_SCRIPT_TYPES.includes(explicitType)) {
    throw new SpecterError('DEVICE_INVALID', `${where}: unknown script type "${explicitType}".`, {
      hint: `Use one of: ${ALL_SCRIPT_TYPES.join(', ')}.`,
    });
  }
  return {
    originFingerprint: fingerprint,
    derivation,
    xpub: k.key.xpub,
    scriptType: explicitType ?? k.key.scriptType ?? (k.origin ? scriptTypeFromPath(k.origin.path) : null),
    network: k.key.network,
    original: k.original,
  };
}

function fromFields(fields: DeviceKeyFields, where: string): DeviceKey {
  if (!fields || typeof fields.xpub !== 'string') {
    throw new SpecterError('DEVICE_INVALID', `${where}: a key object needs an "xpub" string.`, {
      hint: 'Give {xpub, originFingerprint, derivation}.',
    });
  }
  const fp = fields.originFingerprint ?? fields.fingerprint ?? null;
  const path = fields.derivation ?? null;
  if ((fp === null) !== (path === null)) {
    throw new SpecterError('KEY_ORIGIN_INVALID', `${where}: give both the fingerprint and the derivation path, or neither.`, {
      hint: 'E.g. originFingerprint "73c5da0a" with derivation "m/84h/0h/0h".',
    });
  }
  const origin = fp !== null ? formatKeyOrigin({ fingerprint: parseFingerprint(fp, where), path: parseDerivationPath(path!) }) : '';
  return parseDeviceKey(origin + fields.xpub, where, fields.scriptType);
}

/** Coldcard "Generic JSON" sections, and the older multisig "ccxp" export keys. */
const COLDCARD_SECTIONS: ReadonlyArray<[string, ScriptType]> = [
  ['bip44', 'pkh'],
  ['bip49', 'sh-wpkh'],
  ['bip84', 'wpkh'],
  ['bip86', 'tr'],
  ['bip45', 'sh'],
  ['bip48_1', 'sh-wsh'],
  ['bip48_2', 'wsh'],
];
const COLDCARD_MULTISIG: ReadonlyArray<[string, ScriptType]> = [
  ['p2sh', 'sh'],
  ['p2sh_p2wsh', 'sh-wsh'],
  ['p2wsh', 'wsh'],
];

/** A parsed key and where it came from ("Line 3", "Coldcard export \"bip84\""), for messages. */
interface Located {
  key: DeviceKey;
  where: string;
}

function coldcardKeys(json: Record<string, unknown>): Located[] {
  const xfp = typeof json.xfp === 'string' ? json.xfp : null;
  const keys: Located[] = [];
  const add = (where: string, fp: unknown, deriv: unknown, xpub: unknown, type: ScriptType) => {
    if (typeof xpub !== 'string' || typeof deriv !== 'string') return;
    const fingerprint = typeof fp === 'string' ? fp : xfp;
    if (!fingerprint)
      throw new SpecterError('DEVICE_INVALID', `Coldcard export ${where}: the master fingerprint "xfp" is missing.`, {
        hint: 'Export the file again from the Coldcard.',
      });
    const origin = formatKeyOrigin({ fingerprint: parseFingerprint(fingerprint, `Coldcard export ${where}`), path: parseDerivationPath(deriv) });
    keys.push({ key: { ...parseDeviceKey(origin + xpub, `Coldcard export ${where}`, type), original: xpub }, where: `Coldcard export ${where}` });
  };
  for (const [section, type] of COLDCARD_SECTIONS) {
    const s = json[section];
    if (s && typeof s === 'object') {
      const o = s as Record<string, unknown>;
      // `_pub` is the SLIP-132 form (zpub…) Coldcard adds next to the xpub; keep it as the original.
      add(`"${section}"`, o.xfp, o.deriv, typeof o._pub === 'string' ? o._pub : o.xpub, type);
    }
  }
  for (const [field, type] of COLDCARD_MULTISIG) {
    add(`"${field}"`, json.xfp, json[`${field}_deriv`], json[field], type);
  }
  if (keys.length === 0) {
    throw new SpecterError('DEVICE_INVALID', 'The JSON has no keys Specter TS recognises.', {
      hint: 'Use the Coldcard "Generic JSON" export (sections bip44, bip49, bip84, bip48_1, bip48_2…) or paste the keys as [fingerprint/path]xpub lines.',
    });
  }
  return keys;
}

/** A unit of parsing work: cheap to make, run later (possibly spread over event-loop turns). */
type Job = () => Located[];

function tooMany(count: number, what: string): SpecterError {
  return new SpecterError('LIMIT_EXCEEDED', `${what} ${count} keys; at most ${MAX_DEVICE_KEYS} keys can be added at once.`, {
    hint: `Paste at most ${MAX_DEVICE_KEYS} keys (a device export holds far fewer); split a longer list, or keep only the keys this device uses.`,
    details: { count, limit: MAX_DEVICE_KEYS },
  });
}

function textJobs(text: string): Job[] {
  if (text.length > MAX_DEVICE_KEYS_TEXT) {
    const [length, limit] = [text.length, MAX_DEVICE_KEYS_TEXT].map((n) => n.toLocaleString('en-US'));
    throw new SpecterError('LIMIT_EXCEEDED', `The pasted key text has ${length} characters; at most ${limit} are accepted.`, {
      hint: `Paste at most ${MAX_DEVICE_KEYS} keys ([fingerprint/path]xpub, one per line) or the device's JSON export file.`,
      details: { length: text.length, limit: MAX_DEVICE_KEYS_TEXT },
    });
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new SpecterError('DEVICE_INVALID', `The pasted text looks like JSON but does not parse: ${(err as Error).message}.`, {
        hint: 'Paste the whole exported file, or the keys as [fingerprint/path]xpub lines.',
      });
    }
    return [() => coldcardKeys(json as Record<string, unknown>)];
  }
  const jobs: Job[] = [];
  trimmed.split(/\r?\n/).forEach((line, i) => {
    for (const token of line.trim().split(/\s+/).filter(Boolean)) {
      jobs.push(() => [{ key: parseDeviceKey(token, `Line ${i + 1}`), where: `line ${i + 1}` }]);
    }
  });
  // Counted before any key is parsed, so an oversized paste costs no crypto work.
  if (jobs.length > MAX_DEVICE_KEYS) throw tooMany(jobs.length, 'The pasted text has');
  return jobs;
}

function inputJobs(input: DeviceKeysInput): Job[] {
  if (typeof input === 'string') return textJobs(input);
  if (!Array.isArray(input)) {
    throw new SpecterError('DEVICE_INVALID', 'Keys must be text or a list of keys.', { hint: 'Paste one [fingerprint/path]xpub per line.' });
  }
  if (input.length > MAX_DEVICE_KEYS) throw tooMany(input.length, 'The list has');
  return input.map((k, i) => () => {
    const where = `Key ${i + 1}`;
    return [{ key: typeof k === 'string' ? parseDeviceKey(k, where) : fromFields(k, where), where: where.toLowerCase() }];
  });
}

/**
 * Parse keys from text or objects. Duplicates (same canonical xpub, whatever the encoding) among
 * them or with `existing` (the device's current keys) are refused, naming both places. At most
 * {@link MAX_DEVICE_KEYS} keys per call and per device; text of at most {@link MAX_DEVICE_KEYS_TEXT}.
 */
export function parseDeviceKeys(input: DeviceKeysInput, existing: readonly DeviceKey[] = []): DeviceKey[] {
  return checked(
    inputJobs(input).flatMap((job) => job()),
    existing,
  );
}

/**
 * {@link parseDeviceKeys} for request handlers: the keys are parsed {@link KEYS_PER_TURN} at a
 * time with a turn of the event loop in between, so a long paste never holds up other requests.
 */
export async function parseDeviceKeysAsync(input: DeviceKeysInput, existing: readonly DeviceKey[] = []): Promise<DeviceKey[]> {
  const jobs = inputJobs(input);
  const located: Located[] = [];
  for (let i = 0; i < jobs.length; i++) {
    if (i > 0 && i % KEYS_PER_TURN === 0) await nextTurn();
    located.push(...jobs[i]!());
  }
  return checked(located, existing);
}

function checked(located: Located[], existing: readonly DeviceKey[]): DeviceKey[] {
  if (located.length === 0) {
    throw new SpecterError('DEVICE_INVALID', 'No keys were given.', {
      hint: 'Paste at least one key: [fingerprint/path]xpub (from the device or its export file).',
    });
  }
  if (existing.length + located.length > MAX_DEVICE_KEYS) {
    const message = `The device has ${existing.length} keys; ${located.length} more would pass the limit of ${MAX_DEVICE_KEYS} keys per device.`;
    throw new SpecterError('LIMIT_EXCEEDED', message, {
      hint: 'Remove keys the device does not use, or add this key set as another device.',
      details: { count: existing.length + located.length, limit: MAX_DEVICE_KEYS },
    });
  }
  const seen = new Map<string, string>(existing.map((k) => [k.xpub, 'a key the device already has']));
  for (const { key, where } of located) {
    const prev = seen.get(key.xpub);
    if (prev) {
      const place = where.charAt(0).toUpperCase() + where.slice(1);
      throw new SpecterError('DEVICE_INVALID', `${place}: the key ${key.original.slice(0, 24)}… is a duplicate of ${prev}.`, {
        hint: 'Each key can be added once; remove the duplicate.',
        details: { where },
      });
    }
    seen.set(key.xpub, where);
  }
  return located.map((l) => l.key);
}
