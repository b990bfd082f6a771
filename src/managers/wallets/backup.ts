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
import { SpecterError } from '../../errors/index.js';
import type { ParsedDescriptor } from '../../bitcoin/index.js';
import { validateName } from '../devices/alias.js';
import type { Device } from '../devices/device.js';
import { fromSpecterLabels, toSpecterLabels } from './labels-io.js';

export interface BackupDevice {
  type: string;
  label: string;
}

export interface WalletBackup {
  label: string;
  blockheight: number;
  descriptor: string;
  devices: BackupDevice[];
  /** Address labels, Specter's shape: label → addresses. */
  labels: Record<string, string[]>;
}

function invalid(message: string, hint = 'Use the JSON file from Specter\'s wallet Export → Backup, or paste the descriptor instead.'): SpecterError {
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
  const r = raw as Record<string, unknown>;
  const label = r.label ?? r.name;
  if (typeof label !== 'string' || !label.trim()) throw invalid('The wallet backup has no "label" (the wallet name).');
  if (typeof r.descriptor !== 'string' || !r.descriptor.trim()) throw invalid('The wallet backup has no "descriptor".');
  let blockheight = 0;
  if (r.blockheight !== undefined && r.blockheight !== null) {
    const n = typeof r.blockheight === 'string' ? Number(r.blockheight) : r.blockheight;
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw invalid(`"blockheight" must be a non-negative whole number, got ${JSON.stringify(r.blockheight)}.`);
    blockheight = n as number;
  }
  const devices: BackupDevice[] = [];
  if (r.devices !== undefined) {
    if (!Array.isArray(r.devices)) throw invalid('"devices" must be a list of {type, label}.');
    r.devices.forEach((d: unknown, i: number) => {
      if (typeof d === 'string') devices.push({ type: 'generic', label: d });
      else if (d && typeof d === 'object' && typeof (d as Record<string, unknown>).label === 'string') {
        const dev = d as Record<string, unknown>;
        devices.push({ type: typeof dev.type === 'string' ? dev.type : 'generic', label: String(dev.label) });
      } else throw invalid(`devices[${i}] must be {"type": …, "label": …}.`);
    });
  }
  // Validated here (LABELS_INVALID names the bad field), so a bad label refuses the import before any write.
  const labels = r.labels === undefined || r.labels === null ? {} : toSpecterLabels(fromSpecterLabels(r.labels, 'labels'));
  return { label: label.trim(), blockheight, descriptor: r.descriptor.trim(), devices, labels };
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
