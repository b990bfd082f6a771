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

/** Orders the Addresses page offers besides the index order. */
export type AddressSort = 'label' | 'used';

/** Changes remembered per branch for patching sorted orders; a cache further behind sorts again. */
const TOUCH_LOG = 1_024;
/** A cached order this many changes behind is sorted again rather than patched. */
const MAX_PATCH = 256;

/** One sequence for every book in the process, so a reloaded book never repeats a version its wallet had. */
let lastVersion = 0;

interface SortedOrder {
  /** The branch's change count this order reflects. */
  version: number;
  /** Entry indexes in display order. */
  order: number[];
}

export class AddressBook {
  readonly receive: AddressEntry[];
  readonly change: AddressEntry[];
  private readonly byAddress = new Map<string, { change: boolean; index: number }>();
  /** Entries changed or added since the last save, per branch (what the journal appends). */
  private readonly dirty = { receive: new Set<number>(), change: new Set<number>() };
  /**
   * Per branch: how many touches ever, and the indexes of the last TOUCH_LOG of them, so a sorted
   * order can be patched (a label change moves one row) instead of sorting the branch again.
   */
  private readonly touches = { receive: { count: 0, log: [] as number[] }, change: { count: 0, log: [] as number[] } };
  private readonly sorted = new Map<string, SortedOrder>();
  /**
   * Changes with every touch (a label, usage or service set, an address added): what readers that
   * keep something derived from the entries (the History's rows and labels) compare to know it is current.
   */
  version = ++lastVersion;

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
    this.version = ++lastVersion;
    (change ? this.dirty.change : this.dirty.receive).add(index);
    const t = change ? this.touches.change : this.touches.receive;
    t.count++;
    t.log.push(index);
    if (t.log.length > 2 * TOUCH_LOG) t.log.splice(0, t.log.length - TOUCH_LOG);
  }

  /**
   * The branch's entry indexes in the Addresses page's `sort` order (label: the shown label without
   * regard to case; used: unused first), ties by index; `desc` reverses the key, not the ties.
   * Cached per branch, sort and direction: a later view after a few changes moves just those rows
   * (binary search), a view after many sorts once more. Callers must not change the array.
   */
  sortedIndexes(change: boolean, sort: AddressSort, dir: 'asc' | 'desc'): readonly number[] {
    const list = this.branch(change);
    const t = change ? this.touches.change : this.touches.receive;
    const sign = dir === 'asc' ? 1 : -1;
    const keyOf =
      sort === 'label' ? (i: number) => (list[i]!.label ?? defaultLabel(change, i)).toLowerCase() : (i: number) => (list[i]!.used ? 1 : 0);
    const cacheKey = `${change ? 1 : 0}:${sort}:${dir}`;
    const cached = this.sorted.get(cacheKey);
    const behind = cached ? t.count - cached.version : Infinity;
    if (cached && behind === 0) return cached.order;
    if (cached && behind <= MAX_PATCH && behind <= t.log.length) {
      // Take every changed row out first: the rest is then sorted by current keys, so binary search holds.
      const changed = new Set(t.log.slice(t.log.length - behind));
      const order = cached.order;
      for (const i of changed) {
        const at = order.indexOf(i);
        if (at >= 0) order.splice(at, 1);
      }
      for (const i of changed) {
        const key = keyOf(i);
        let lo = 0;
        let hi = order.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const other = order[mid]!;
          const k = keyOf(other);
          if ((k < key ? -sign : k > key ? sign : 0) < 0 || (k === key && other < i)) lo = mid + 1;
          else hi = mid;
        }
        order.splice(lo, 0, i);
      }
      cached.version = t.count;
      return order;
    }
    const keys = list.map((_, i) => keyOf(i));
    const order = list.map((_, i) => i);
    order.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      return (ka < kb ? -sign : ka > kb ? sign : 0) || a - b;
    });
    this.sorted.set(cacheKey, { version: t.count, order });
    return order;
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
