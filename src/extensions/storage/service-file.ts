import { SpecterError } from '../../errors/index.js';
import { STORAGE_VERSION, VERSION_FIELD } from './names.js';

/**
 * The shape shared by both per-user service files and the checks on what goes in and out:
 *
 *   { "<extension id>": "<entry>", …, "encrypted_storage_version": 1 }
 *
 * where an entry is the extension's data as a JSON string (unencrypted file) or a Fernet token of
 * that string (encrypted file). Exactly Specter Desktop's layout.
 */

/** An extension's data: a plain JSON object. */
export type ServiceData = Record<string, unknown>;

/** The parsed file: entries plus the version marker. */
export type ServiceFile = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The file's content as an object; a missing file is empty. Anything else is reported, not "fixed". */
export function parseServiceFile(raw: unknown, path: string): ServiceFile {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) {
    throw new SpecterError('DATA_FILE_CORRUPT', `Extension data file ${path} must hold a JSON object.`, {
      hint: 'The file is left untouched. Repair it by hand or restore its .bkp.',
      details: { path },
    });
  }
  return raw;
}

/** What is written back: Specter writes the version marker into both files; keep its place if present. */
export function withVersion(file: ServiceFile): ServiceFile {
  if (!(VERSION_FIELD in file)) file[VERSION_FIELD] = STORAGE_VERSION;
  return file;
}

/** The extension ids that have an entry (no decryption needed). */
export function entryIds(file: ServiceFile): string[] {
  return Object.keys(file).filter((k) => k !== VERSION_FIELD);
}

/**
 * `data` as the JSON text stored for the extension. Only plain objects are accepted (Specter's
 * `dict`); keys whose value is `undefined` disappear, as JSON.stringify drops them.
 */
export function serviceDataText(extId: string, data: unknown): string {
  if (!isPlainObject(data)) {
    throw new SpecterError('VALIDATION', `Data for extension "${extId}" must be a plain object, got ${describe(data)}.`, {
      hint: 'Pass an object such as { wallet: "w1" }; use {} to remove the data.',
      details: { extensionId: extId },
    });
  }
  try {
    return JSON.stringify(data);
  } catch (err) {
    throw new SpecterError('VALIDATION', `Data for extension "${extId}" cannot be stored as JSON: ${(err as Error).message}`, {
      hint: 'Store plain JSON values only (no BigInt, no cycles).',
      details: { extensionId: extId },
      cause: err,
    });
  }
}

/** Parse an entry's JSON text back into the extension's object, or say which entry of which file is bad. */
export function parseServiceDataText(extId: string, text: string, path: string): ServiceData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw damagedEntry(extId, path, `it is not JSON (${(err as Error).message})`, err);
  }
  if (!isPlainObject(value)) throw damagedEntry(extId, path, `it holds ${describe(value)}, not an object`);
  return value;
}

export function damagedEntry(extId: string, path: string, why: string, cause?: unknown): SpecterError {
  return new SpecterError('EXT_STORAGE', `The data of extension "${extId}" in ${path} is damaged: ${why}.`, {
    hint: `Remove the "${extId}" entry from the file (or restore its .bkp); other extensions' data is not affected.`,
    details: { extensionId: extId, path },
    cause,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return `a ${typeof value}`;
}
