/**
 * Specter Desktop's wallet backup JSON ("Export → Backup"), read and written:
 *
 *   { "label": "Cold storage", "blockheight": 481824,
 *     "descriptor": "wsh(sortedmulti(2,[73c5da0a/48h/0h/0h/2h]xpub…/0/*,…))#checksum",
 *     "devices": [ { "type": "coldcard", "label": "My Coldcard" }, … ] }
 *
 * `devices` lists, in key order, the device that holds each key. `labels` carries the address
 * labels as Specter's `{label: [address, …]}` (Specter's export puts them in place of its pending
 * PSBTs and frozen UTXOs); a backup without it imports without labels. Specter writes the receive
 * descriptor (`/0/*`); we read that, `<0;1>` and `{0,1}`. Specter's generic device type is
 * "other", ours "generic"; unknown types import as generic.
 */
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { ParsedDescriptor } from '../../bitcoin/index.js';
import { validateName } from '../devices/alias.js';
import type { Device } from '../devices/device.js';
import { fromSpecterLabels, toSpecterLabels } from './labels-io.js';

/** A device entry: `{type, label}`, or a bare label string (older exports). */
const backupDeviceSchema = z.union([
  z.string().transform((label) => ({ type: 'generic', label })),
  z
    .looseObject({ type: z.string().optional().catch(undefined), label: z.string() })
    .transform((d) => ({ type: d.type ?? 'generic', label: d.label })),
]);

const blockheightSchema = z
  .union([z.number(), z.string().transform((v) => (v.trim() === '' ? NaN : Number(v)))])
  .nullish()
  .transform((v, ctx) => {
    if (v === undefined || v === null) return 0;
    if (!Number.isSafeInteger(v) || v < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative whole number' });
      return z.NEVER;
    }
    return v;
  });

/** Specter's backup JSON, as read (the wallet name may be `label` or `name`). Unknown fields are ignored. */
export const walletBackupSchema = z
  .looseObject({
    label: z.string().optional(),
    name: z.string().optional(),
    blockheight: blockheightSchema,
    descriptor: z.string().optional(),
    devices: z.array(backupDeviceSchema).optional(),
    /** Address labels, Specter's shape (label → addresses); checked by labels-io after parsing. */
    labels: z.unknown().optional(),
  })
  .transform((r) => ({
    label: (r.label ?? r.name ?? '').trim(),
    blockheight: r.blockheight,
    descriptor: (r.descriptor ?? '').trim(),
    devices: r.devices ?? [],
    labels: r.labels,
  }));

export type WalletBackup = Omit<z.output<typeof walletBackupSchema>, 'labels'> & {
  /** Address labels, Specter's shape: label → addresses. */
  labels: Record<string, string[]>;
};
export type BackupDevice = WalletBackup['devices'][number];

function invalid(message: string, hint = "Use the JSON file from Specter's wallet Export → Backup, or paste the descriptor instead."): SpecterError {
  return new SpecterError('WALLET_INVALID', message, { hint });
}

/** Validate a backup given as JSON text or an already parsed object. */
export function parseWalletBackup(input: unknown): WalletBackup {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw invalid(`The wallet backup is not valid JSON: ${(err as Error).message}.`);
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('The wallet backup must be a JSON object.');
  const parsed = walletBackupSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [field, i] = issue.path;
    const r = raw as Record<string, unknown>;
    if (field === 'blockheight') throw invalid(`"blockheight" must be a non-negative whole number, got ${JSON.stringify(r.blockheight)}.`);
    if (field === 'devices')
      throw invalid(i === undefined ? '"devices" must be a list of {type, label}.' : `devices[${String(i)}] must be {"type": …, "label": …}.`);
    throw invalid(`"${String(field)}" in the wallet backup must be text.`);
  }
  const backup = parsed.data;
  if (!backup.label) throw invalid('The wallet backup has no "label" (the wallet name).');
  if (!backup.descriptor) throw invalid('The wallet backup has no "descriptor".');
  // Validated here (LABELS_INVALID names the bad field), so a bad label refuses the import before any write.
  const labels = backup.labels === undefined || backup.labels === null ? {} : toSpecterLabels(fromSpecterLabels(backup.labels, 'labels'));
  return { ...backup, labels };
}

/** Map a Specter device type to a registered one. */
export function importDeviceType(type: string, known: (t: string) => boolean): string {
  if (type === 'other') return 'generic';
  return known(type) ? type : 'generic';
}

export interface PlannedDevice {
  name: string;
  type: string;
  /** `[fp/path]xpub` to create the device with. */
  key: string;
}

/**
 * Link each descriptor key to the existing device holding it; plan a new device for the others
 * (named after the backup's device label, or "Key <fingerprint>", made unique).
 */
export function planImportDevices(
  descriptor: ParsedDescriptor,
  existing: readonly Device[],
  backupDevices: readonly BackupDevice[],
  createMissing: boolean,
  knownType: (type: string) => boolean,
): { aliases: string[]; planned: PlannedDevice[] } {
  const aliases: string[] = [];
  const planned: PlannedDevice[] = [];
  const usedNames = new Set(existing.map((d) => d.name.toLowerCase()));
  descriptor.keys.forEach((k, i) => {
    const holder = existing.find((d) => d.keys.some((dk) => dk.xpub === k.xpub));
    if (holder) {
      if (!aliases.includes(holder.alias)) aliases.push(holder.alias);
      return;
    }
    if (!createMissing) return;
    const from = backupDevices[i];
    const base = validateName((from?.label.trim() || `Key ${k.fingerprint ?? i + 1}`).slice(0, 90), 'device', 'WALLET_INVALID');
    let name = base;
    for (let n = 2; usedNames.has(name.toLowerCase()); n++) name = `${base} (${n})`;
    usedNames.add(name.toLowerCase());
    const origin = k.fingerprint && k.originPath ? `[${k.fingerprint}${k.originPath.slice(1)}]` : '';
    planned.push({ name, type: importDeviceType(from?.type ?? 'generic', knownType), key: origin + k.xpub });
  });
  return { aliases, planned };
}

/** The backup of a wallet; each key names the device holding it ("other" for our "generic"). */
export function toWalletBackup(
  label: string,
  blockheight: number,
  descriptor: ParsedDescriptor,
  devices: readonly Device[],
  labels: ReadonlyArray<{ address: string; label: string }> = [],
): WalletBackup {
  return {
    label,
    blockheight,
    descriptor: descriptor.receiveDescriptor,
    devices: descriptor.keys.map((k, i) => {
      const d = devices.find((dev) => dev.keys.some((dk) => dk.xpub === k.xpub));
      return d ? { type: d.type === 'generic' ? 'other' : d.type, label: d.name } : { type: 'other', label: `Key ${i + 1}` };
    }),
    labels: toSpecterLabels(labels),
  };
}
