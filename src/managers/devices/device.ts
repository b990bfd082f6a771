/**
 * Device records and their file format.
 *
 * One file per device: `<data>/devices/<alias>.json` (admins) or `<data>/devices_<user id>/<alias>.json`,
 * written atomically by JsonFileStore:
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
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import { MULTISIG_SCRIPT_TYPES, SINGLE_SIG_SCRIPT_TYPES, type ScriptType } from '../../bitcoin/index.js';
import { isValidAlias } from './alias.js';

const SCRIPT_TYPES = [...SINGLE_SIG_SCRIPT_TYPES, ...MULTISIG_SCRIPT_TYPES] as [ScriptType, ...ScriptType[]];

/** One key of a device file. Absent optional fields read as null; `original` defaults to the xpub. */
export const deviceKeySchema = z
  .object({
    originFingerprint: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    derivation: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    xpub: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
    scriptType: z
      .enum(SCRIPT_TYPES, { error: 'is unknown' })
      .nullish()
      .transform((v) => v ?? null),
    network: z.enum(['main', 'test'], { error: 'must be "main" or "test"' }),
    original: z.string().optional(),
  })
  .transform((k) => ({ ...k, original: k.original ?? k.xpub }));

/** A device file (`<devices folder>/<alias>.json`); unknown fields are dropped. */
export const deviceSchema = z.object({
  alias: z.string({ error: 'is missing' }).refine(isValidAlias, { error: 'must be a device alias (lowercase letters, digits, "-")' }),
  name: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
  type: z.string({ error: 'is missing' }).min(1, { error: 'is missing' }),
  keys: z.array(deviceKeySchema, { error: 'must be a list' }),
});

export type DeviceKey = z.output<typeof deviceKeySchema>;
export type Device = z.output<typeof deviceSchema>;

function corrupt(path: string, why: string): SpecterError {
  return new SpecterError('DATA_FILE_CORRUPT', `Device file ${path} is invalid: ${why}.`, {
    hint: `Restore ${path}.bkp, or fix the field by hand (format: see src/managers/devices/device.ts).`,
    details: { path },
  });
}

/** The first problem zod found, as "keys[0].xpub is missing". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not match the format';
  const where = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  return where ? `"${where}" ${issue.message}` : issue.message;
}

/** Shape check of a device file's content (keys are not re-derived: they were checked on import). */
export function parseDeviceFile(raw: unknown, path: string, expectedAlias: string): Device {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(path, 'not a JSON object');
  const parsed = deviceSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(path, describeIssue(parsed.error));
  if (parsed.data.alias !== expectedAlias) throw corrupt(path, `"alias" must be "${expectedAlias}"`);
  return parsed.data;
}

/** `[fp/path]xpub` of a device key for descriptors and display. */
export function keyExpression(key: DeviceKey): string {
  if (!key.originFingerprint || !key.derivation) return key.xpub;
  const path = key.derivation === 'm' ? '' : key.derivation.replace(/^m/, '');
  return `[${key.originFingerprint}${path}]${key.xpub}`;
}
