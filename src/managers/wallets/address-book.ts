/**
 * The in-memory address list of one wallet: entries per branch, an address → position index, and
 * the label/usage/service state (Specter's Address objects, §6 of specter-behaviour.md).
 * Pure data operations; the Wallet decides when to derive more and when to save.
 */
import { SpecterError } from '../../errors/index.js';
import type { AddressEntry, AddressesFile } from './wallet-record.js';

export interface AddressInfo {
  address: string;
  index: number;
  change: boolean;
  /** What to display: the custom label, or "Address #i" / "Change #i". */
  label: string;
  /** The stored label, null when the default applies. */
  customLabel: string | null;
  used: boolean;
  /** The extension this address is associated with (reserved for), or null. */
  serviceId: string | null;
  /** Specter's is_reserved: associated with a service. */
  reserved: boolean;
}

export const MAX_LABEL_LENGTH = 250;
const SERVICE_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export function defaultLabel(change: boolean, index: number): string {
  return change ? `Change #${index}` : `Address #${index}`;
}

export function validateLabel(label: unknown): string | null {
  if (label === null || label === undefined) return null;
  if (typeof label !== 'string') throw new SpecterError('VALIDATION', 'The label must be text.', { details: { field: 'label' } });
  const trimmed = label.trim();
  if (!trimmed) return null;
  if (trimmed.length > MAX_LABEL_LENGTH) {
    throw new SpecterError('VALIDATION', `The label is ${trimmed.length} characters long; the maximum is ${MAX_LABEL_LENGTH}.`, {
      hint: 'Use a shorter label.',
      details: { field: 'label' },
    });
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    throw new SpecterError('VALIDATION', 'The label contains control characters.', { details: { field: 'label' } });
  return trimmed;
}

export function validateServiceId(serviceId: unknown): string {
  if (typeof serviceId !== 'string' || !SERVICE_ID.test(serviceId)) {
    throw new SpecterError('VALIDATION', `"${String(serviceId)}" is not a valid service (extension) id.`, {
      hint: 'Use the extension id: 1–64 letters, digits, "_" or "-".',
      details: { field: 'service_id' },
    });
  }
  return serviceId;
}

export class AddressBook {
  readonly receive: AddressEntry[];
  readonly change: AddressEntry[];
  private readonly byAddress = new Map<string, { change: boolean; index: number }>();
  /** Entries changed or added since the last save, per branch (what the journal appends). */
  private readonly dirty = { receive: new Set<number>(), change: new Set<number>() };

  constructor(file: AddressesFile) {
    this.receive = file.receive;
    this.change = file.change;
    for (const e of this.receive) this.byAddress.set(e.address, { change: false, index: e.index });
    for (const e of this.change) this.byAddress.set(e.address, { change: true, index: e.index });
  }

  branch(change: boolean): AddressEntry[] {
    return change ? this.change : this.receive;
  }

  append(change: boolean, addresses: readonly string[]): void {
    const list = this.branch(change);
    for (const address of addresses) {
      const index = list.length;
      list.push({ index, address, label: null, used: false, service_id: null });
      this.byAddress.set(address, { change, index });
      this.touch(change, index);
    }
  }

  /** Marks an entry changed, so the next save writes it. Call after every change to an entry. */
  touch(change: boolean, index: number): void {
    (change ? this.dirty.change : this.dirty.receive).add(index);
  }

  /** Marks every entry changed (the whole list was derived again). */
  touchAll(): void {
    for (const change of [false, true]) for (const e of this.branch(change)) this.touch(change, e.index);
  }

  /** The entries changed since the last call, in index order, and forgets them. */
  takeChanges(): Array<{ change: boolean; entries: AddressEntry[] }> {
    const out = [false, true].map((change) => {
      const set = change ? this.dirty.change : this.dirty.receive;
      const list = this.branch(change);
      const entries = [...set].sort((a, b) => a - b).map((i) => list[i]!);
      set.clear();
      return { change, entries };
    });
    return out;
  }

  has(address: string): boolean {
    return this.byAddress.has(address);
  }

  /** The entry, or ADDRESS_NOT_FOUND naming the wallet. */
  entry(address: string, walletName: string): { entry: AddressEntry; change: boolean } {
    const pos = typeof address === 'string' ? this.byAddress.get(address.trim()) : undefined;
    if (!pos) {
      throw new SpecterError('ADDRESS_NOT_FOUND', `The address ${String(address)} is not one of the derived addresses of wallet "${walletName}".`, {
        hint: 'Check that it belongs to this wallet; addresses far beyond the current index may not be derived yet.',
        details: { address },
      });
    }
    return { entry: this.branch(pos.change)[pos.index]!, change: pos.change };
  }

  info(entry: AddressEntry, change: boolean): AddressInfo {
    return {
      address: entry.address,
      index: entry.index,
      change,
      label: entry.label ?? defaultLabel(change, entry.index),
      customLabel: entry.label,
      used: entry.used,
      serviceId: entry.service_id,
      reserved: entry.service_id !== null,
    };
  }

  toFile(): AddressesFile {
    return { receive: this.receive, change: this.change };
  }
}
