/**
 * Device records and their file format.
 *
 * One file per device: `<data>/devices/<alias>.json`, written atomically by JsonFileStore:
 *
 *   {
 *     "alias": "my_coldcard",              // file-name-safe id, unique, never changes
 *     "name": "My Coldcard",               // display name, unique (case-insensitive), renamable
 *     "type": "coldcard",                  // a DeviceTypeRegistry id
 *     "keys": [
 *       {
 *         "originFingerprint": "73c5da0a", // master fingerprint, 8 lowercase hex, or null
 *         "derivation": "m/84h/0h/0h",     // origin path with h, or null when unknown
 *         "xpub": "xpub6CatWdiZ…",         // canonical xpub/tpub
 *         "scriptType": "wpkh",            // from the SLIP-132 prefix or the BIP-44/48/49/84/86 path, or null
 *         "network": "main",               // key family: "main" or "test"
 *         "original": "[73c5da0a/84'/0'/0']zpub6rFR7y4Q…"   // as pasted / exported
 *       }
 *     ]
 *   }
 *
 * The xpub is stored canonical so two exports of one key (zpub from one tool, xpub from another)
 * are recognised as the same key; `original` keeps what the user gave for display and export.
 */
import { SpecterError } from '../../errors/index.js';
import type { KeyNetwork, ScriptType } from '../../bitcoin/index.js';
import { isValidAlias } from './alias.js';

export interface DeviceKey {
  originFingerprint: string | null;
  derivation: string | null;
  xpub: string;
  scriptType: ScriptType | null;
  network: KeyNetwork;
  original: string;
}

export interface Device {
  alias: string;
  name: string;
  type: string;
  keys: DeviceKey[];
}

const SCRIPT_TYPES = new Set(['pkh', 'sh-wpkh', 'wpkh', 'tr', 'sh', 'sh-wsh', 'wsh']);

function corrupt(path: string, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `Device file ${path} is invalid: ${why}.`, {
    hint: `Restore ${path}.bkp, or fix the field by hand (format: see src/managers/devices/device.ts).`,
    details: { path },
  });
}

/** Shape check of a device file's content (keys are not re-derived: they were checked on import). */
export function parseDeviceFile(raw: unknown, path: string, expectedAlias: string): Device {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const r = raw as Record<string, unknown>;
  if (!isValidAlias(r.alias) || r.alias !== expectedAlias) throw corrupt(path, `"alias" must be "${expectedAlias}"`);
  if (typeof r.name !== 'string' || !r.name) throw corrupt(path, '"name" is missing');
  if (typeof r.type !== 'string' || !r.type) throw corrupt(path, '"type" is missing');
  if (!Array.isArray(r.keys)) throw corrupt(path, '"keys" must be a list');
  const keys = r.keys.map((k: unknown, i: number): DeviceKey => {
    const key = (k ?? {}) as Record<string, unknown>;
    if (typeof key.xpub !== 'string' || !key.xpub) throw corrupt(path, `keys[${i}].xpub is missing`);
    if (key.network !== 'main' && key.network !== 'test') throw corrupt(path, `keys[${i}].network must be "main" or "test"`);
    if (key.scriptType != null && !SCRIPT_TYPES.has(String(key.scriptType))) throw corrupt(path, `keys[${i}].scriptType is unknown`);
    return {
      originFingerprint: typeof key.originFingerprint === 'string' ? key.originFingerprint : null,
      derivation: typeof key.derivation === 'string' ? key.derivation : null,
      xpub: key.xpub,
      scriptType: (key.scriptType as ScriptType | null | undefined) ?? null,
      network: key.network,
      original: typeof key.original === 'string' ? key.original : key.xpub,
    };
  });
  return { alias: r.alias, name: r.name, type: r.type, keys };
}

/** `[fp/path]xpub` of a device key for descriptors and display. */
export function keyExpression(key: DeviceKey): string {
  if (!key.originFingerprint || !key.derivation) return key.xpub;
  const path = key.derivation === 'm' ? '' : key.derivation.replace(/^m/, '');
  return `[${key.originFingerprint}${path}]${key.xpub}`;
}
