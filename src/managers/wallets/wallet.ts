/**
 * One wallet: its definition, its derived addresses and Specter's address semantics
 * (specter-behaviour.md §6):
 *
 * - `addressIndex` is the current receive index; the keypool is filled lazily up to
 *   index + GAP_LIMIT, deriving only the missing addresses;
 * - a reserved address is one associated with a service (extension); getNewAddress() and
 *   currentReceiveAddress() skip reserved (and used) addresses, so a service can reserve every
 *   other index without creating gaps;
 * - recomputeReceiveIndex() sets the index to the last used + 1 and then skips reserved ones
 *   (Specter's check_addresses forgot that skip).
 *
 * Every mutation runs under the wallet file's lock, changes memory, then saves the address list
 * and the definition (in that order: the definition is the commit point). If a save fails, the
 * wallet reloads from disk so memory never runs ahead of the files.
 */
import { SpecterError } from '../../errors/index.js';
import {
  createAddressDeriver,
  networkFamily,
  parseDescriptor,
  type AddressDeriver,
  type NetworkName,
  type ParsedDescriptor,
} from '../../bitcoin/index.js';
import { withFileLock, type JsonFileStore } from '../../persistence/index.js';
import { AddressBook, defaultLabel, validateLabel, validateServiceId, type AddressInfo, type AddressSort } from './address-book.js';
import { type AddressesFile, descriptorStamp, parseWalletRecord, type WalletRecord } from './wallet-record.js';
import { AddressJournal } from './address-journal.js';

/** Addresses kept derived beyond the current/used index (Specter's GAP_LIMIT). */
export const GAP_LIMIT = 20;
/** How far (addresses per branch) a labels import looks for addresses not derived yet. */
export const LABEL_LOOKAHEAD = 1_000;
/** Most addresses one addresses() call returns. */
export const MAX_ADDRESS_PAGE = 1_000;
/** The largest unhardened BIP-32 index: the last address of a branch. */
export const MAX_INDEX = 0x7fffffff;
/**
 * How far beyond the keypool (GAP_LIMIT past the last used or reserved address, or past the
 * current index if that is further) a caller may have addresses *stored* — by getAddress() or by
 * labelling an address the wallet does not keep yet. Stored addresses stay in the address file for
 * good, so without a bound every call could grow the file. Reading needs no bound: addresses() derives
 * what the wallet does not keep without storing it. Address reservation (every other index, up to
 * 1,000 addresses) stays inside it, because it starts after the last reserved address.
 */
export const MAX_ADDRESS_LOOKAHEAD = 1_000;

export interface WalletFiles {
  record: string;
  addresses: string;
}

type ChangeArg = boolean | 0 | 1;
const isChange = (change: ChangeArg): boolean => change === true || change === 1;

export class Wallet {
  private dirtyRecord = false;
  private dirtyAddresses = false;
  private deriver: AddressDeriver;
  #descriptor: ParsedDescriptor;
  #addressFileChecked = false;

  /** Removes the address list's snapshot and journal (the wallet is being deleted). */
  async deleteAddressFiles(): Promise<void> {
    await this.journal.delete();
  }

  private constructor(
    private record: WalletRecord,
    private book: AddressBook,
    descriptor: ParsedDescriptor,
    private readonly store: JsonFileStore,
    readonly files: WalletFiles,
    private readonly journal: AddressJournal,
  ) {
    this.#descriptor = descriptor;
    this.deriver = createAddressDeriver(descriptor);
  }

  /** The parsed descriptor (of the wallet's current network; see bindNetwork). */
  get descriptor(): ParsedDescriptor {
    return this.#descriptor;
  }

  /**
   * Build a wallet object (used by WalletManager for new and loaded wallets). The address file is
   * checked against the descriptor now, or — `checkLater`, for a load whose descriptor stamp
   * matched — before the first derivation: until then nothing derived is used, and a start with
   * many wallets does not derive two addresses of each before its first page.
   */
  static async open(
    record: WalletRecord,
    addresses: AddressBook,
    descriptor: ParsedDescriptor,
    store: JsonFileStore,
    files: WalletFiles,
    /** The address list's files; the one the list was read through, so it knows their sizes. */
    journal: AddressJournal = new AddressJournal(store, files.addresses),
    checkLater = false,
  ): Promise<Wallet> {
    const wallet = new Wallet(record, addresses, descriptor, store, files, journal);
    if (!checkLater) wallet.checkAddressFile();
    return wallet;
  }

  get alias(): string {
    return this.record.alias;
  }
  get name(): string {
    return this.record.name;
  }
  get network(): NetworkName {
    return this.record.network;
  }
  get blockheight(): number {
    return this.record.blockheight;
  }
  get devices(): string[] {
    return [...this.record.devices];
  }
  get addressIndex(): number {
    return this.record.address_index;
  }
  get changeIndex(): number {
    return this.record.change_index;
  }
  /** A copy of the stored definition. */
  toJSON(): WalletRecord {
    return { ...this.record, devices: [...this.record.devices] };
  }

  /**
   * A stale or foreign address file would hand out wrong addresses; refuse to use it. Its address
   * #0 of each branch must be today's derivation (this also carries a descriptor's earlier
   * cross-check over to today's code; see descriptorStamp). Runs once, before the first derivation.
   */
  private checkAddressFile(): void {
    if (this.#addressFileChecked) return;
    for (const change of [false, true]) {
      const first = this.book.branch(change)[0];
      if (first && first.address !== this.deriver.address(change ? 1 : 0, 0)) {
        throw new SpecterError('DATA_FILE_CORRUPT', `${this.files.addresses} does not belong to the descriptor of wallet "${this.name}".`, {
          hint: 'Restore the file from its .bkp, or delete it to have the addresses derived again (labels would be lost).',
          details: { path: this.files.addresses },
        });
      }
    }
    this.#addressFileChecked = true;
  }

  /** The deriver, once the address file is known to match it: every derivation goes through here. */
  private checkedDeriver(): AddressDeriver {
    this.checkAddressFile();
    return this.deriver;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.files.record, async () => {
      try {
        const result = await fn();
        await this.flush();
        return result;
      } catch (err) {
        if (this.dirtyRecord || this.dirtyAddresses) await this.reload();
        throw err;
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.dirtyAddresses) {
      await this.journal.save(this.book.takeChanges(), () => this.book.toFile());
      this.dirtyAddresses = false;
    }
    if (this.dirtyRecord) {
      // The descriptor in memory passed every check (a full parse, or a trusted one whose stamp and address #0 matched).
      this.record.descriptor_checked = descriptorStamp(this.record.network, this.record.descriptor);
      await this.store.write(this.files.record, this.record);
      this.dirtyRecord = false;
    }
  }

  /** Throw away unsaved changes (after a failed save or a refused operation). */
  private async reload(): Promise<void> {
    this.dirtyRecord = this.dirtyAddresses = false;
    const raw = await this.store.read<unknown>(this.files.record);
    if (raw !== undefined) this.record = parseWalletRecord(raw, this.files.record, this.record.alias);
    if (this.record.network !== this.#descriptor.network) {
      // The record on disk was written from a checked descriptor (its stamp says so) or is re-checked here.
      const trusted = this.record.descriptor_checked === descriptorStamp(this.record.network, this.record.descriptor);
      this.#descriptor = parseDescriptor(this.record.descriptor, { network: this.record.network, trusted });
      this.deriver = createAddressDeriver(this.#descriptor);
    }
    this.book = new AddressBook((await this.journal.read()) ?? { receive: [], change: [] });
    this.#addressFileChecked = false;
  }

  /** The end (exclusive) of what may be stored on a branch: see {@link MAX_ADDRESS_LOOKAHEAD}. */
  private lookaheadEnd(change: boolean): number {
    const list = this.book.branch(change);
    let last = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.used || list[i]!.service_id !== null) {
        last = i;
        break;
      }
    }
    const base = Math.max(last + 1, change ? this.record.change_index : this.record.address_index);
    return Math.min(base + GAP_LIMIT + MAX_ADDRESS_LOOKAHEAD, MAX_INDEX + 1);
  }

  /**
   * Refuses to store addresses up to `end` (exclusive) when that passes the keypool by more than
   * {@link MAX_ADDRESS_LOOKAHEAD}. Addresses already stored can always be read.
   */
  private checkLookahead(change: boolean, end: number): void {
    if (end <= this.book.branch(change).length) return;
    const limit = this.lookaheadEnd(change);
    if (end > limit) {
      const kind = change ? 'change' : 'receive';
      const bound = `at most ${MAX_ADDRESS_LOOKAHEAD.toLocaleString('en-US')} ${kind} addresses beyond the ${GAP_LIMIT} it keeps ready past its last used address`;
      throw new SpecterError(
        'LIMIT_EXCEEDED',
        `Wallet "${this.name}" keeps ${bound}, that is up to index ${limit - 1}; index ${end - 1} was asked for.`,
        {
          hint: `Ask for ${kind} addresses below index ${limit}; the bound moves on as addresses get used. Listing (addresses()) reads any index without storing it.`,
          details: { change, index: end - 1, limit: MAX_ADDRESS_LOOKAHEAD, maxIndex: limit - 1 },
        },
      );
    }
  }

  /**
   * Makes an address the wallet does not keep yet a stored one, when it lies within the
   * look-ahead bound of its branch (searched by deriving the window, off the main thread).
   * Beyond the bound, or not the wallet's: ADDRESS_NOT_FOUND naming the indexes searched.
   */
  private async storeToReach(address: string): Promise<void> {
    const wanted = typeof address === 'string' ? address.trim() : address;
    const searched: string[] = [];
    for (const change of [false, true]) {
      const have = this.book.branch(change).length;
      const end = this.lookaheadEnd(change);
      searched.push(`${change ? 'change' : 'receive'} #${end - 1}`);
      if (end <= have) continue;
      const at = (await this.checkedDeriver().derive(change ? 1 : 0, have, end - have)).indexOf(wanted);
      if (at >= 0) {
        await this.ensure(change, have + at + 1);
        return;
      }
    }
    throw new SpecterError(
      'ADDRESS_NOT_FOUND',
      `The address ${String(address)} is not one of the addresses of wallet "${this.name}" up to ${searched.join(' and ')}.`,
      {
        hint: `Check that it belongs to this wallet. Labels can be set up to ${MAX_ADDRESS_LOOKAHEAD.toLocaleString('en-US')} addresses past the last used one; an address further on can be labelled once earlier ones are used.`,
        details: { address },
      },
    );
  }

  /** Derive what is missing so that `count` addresses exist on the branch. */
  private async ensure(change: boolean, count: number): Promise<void> {
    const have = this.book.branch(change).length;
    if (count <= have) return;
    const added = await this.checkedDeriver().derive(change ? 1 : 0, have, count - have);
    this.book.append(change, added);
    this.record[change ? 'change_keypool' : 'keypool'] = this.book.branch(change).length;
    this.dirtyAddresses = this.dirtyRecord = true;
  }

  /** Whether the record's stamp says its descriptor passed every check (see descriptorStamp). */
  get descriptorStamped(): boolean {
    return this.record.descriptor_checked === descriptorStamp(this.record.network, this.record.descriptor);
  }

  /** Write the stamp into a record that lacks it (files from before the stamp), after a full check. */
  async stampDescriptor(): Promise<void> {
    await this.exclusive(async () => {
      if (!this.descriptorStamped) this.dirtyRecord = true;
    });
  }

  /** Derive the initial keypool (new wallets) and fix keypool counters after an interrupted save. */
  async fillKeypool(): Promise<void> {
    await this.exclusive(async () => {
      await this.ensure(false, this.record.address_index + GAP_LIMIT);
      await this.ensure(true, this.record.change_index + GAP_LIMIT);
      for (const [field, change] of [
        ['keypool', false],
        ['change_keypool', true],
      ] as const) {
        if (this.record[field] !== this.book.branch(change).length) {
          this.record[field] = this.book.branch(change).length;
          this.dirtyRecord = true;
        }
      }
    });
  }

  /** The address at an index (refills the keypool to index + GAP_LIMIT, as Specter's get_address). */
  async getAddress(index: number, change: ChangeArg = false): Promise<string> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= 0x80000000) {
      throw new SpecterError('VALIDATION', `The address index must be an integer from 0 to 2147483647, got ${String(index)}.`, {
        details: { field: 'index' },
      });
    }
    return this.exclusive(async () => {
      this.checkLookahead(isChange(change), index + 1);
      await this.ensure(isChange(change), index + GAP_LIMIT);
      return this.book.branch(isChange(change))[index]!.address;
    });
  }

  /** Index, branch, label, usage and service of one of the wallet's addresses. */
  getAddressInfo(address: string): AddressInfo {
    const { entry, change } = this.book.entry(address, this.name);
    return this.book.info(entry, change);
  }

  /**
   * A page of addresses; at most MAX_ADDRESS_PAGE per call, indexes up to MAX_INDEX. Addresses the
   * wallet keeps (its stored list) come with their label, usage and service; the part of the page
   * past the stored list is derived on read — off the main thread for more than a handful — and
   * returned as unused, unlabelled and unreserved, without being stored. Listing therefore never
   * writes, and its reach needs no bound: the list grows only through use (new addresses, chain
   * usage, reservations, labels). A page that would run past MAX_INDEX ends there.
   */
  async addresses(change: ChangeArg, from: number, count: number): Promise<AddressInfo[]> {
    if (!Number.isSafeInteger(from) || from < 0 || from > MAX_INDEX) {
      throw new SpecterError('VALIDATION', `from must be an address index from 0 to ${MAX_INDEX}, got ${String(from)}.`, {
        hint: `BIP-32 has no unhardened index past ${MAX_INDEX}.`,
        details: { field: 'from' },
      });
    }
    if (!Number.isSafeInteger(count) || count < 0)
      throw new SpecterError('VALIDATION', `count must be a non-negative integer, got ${String(count)}.`, { details: { field: 'count' } });
    if (count > MAX_ADDRESS_PAGE) {
      throw new SpecterError('LIMIT_EXCEEDED', `At most ${MAX_ADDRESS_PAGE} addresses can be listed at once; ${count} were requested.`, {
        hint: `Ask for pages of up to ${MAX_ADDRESS_PAGE} (from=0, then from=${MAX_ADDRESS_PAGE}, …).`,
        details: { count, limit: MAX_ADDRESS_PAGE },
      });
    }
    const c = isChange(change);
    const end = Math.min(from + count, MAX_INDEX + 1);
    for (;;) {
      const deriver = this.checkedDeriver();
      const derivedFrom = Math.max(from, this.book.branch(c).length);
      const beyond = end > derivedFrom ? await deriver.derive(c ? 1 : 0, derivedFrom, end - derivedFrom) : [];
      // bindNetwork() swapped the deriver while this page was derived: derive it for the new network.
      if (deriver !== this.deriver) continue;
      // Read the stored list after the await: entries stored meanwhile show their state.
      const list = this.book.branch(c);
      const out: AddressInfo[] = [];
      for (let i = from; i < end; i++) {
        const entry = list[i];
        if (entry) out.push(this.book.info(entry, c));
        else out.push(this.book.info({ index: i, address: beyond[i - derivedFrom]!, label: null, used: false, service_id: null }, c));
      }
      return out;
    }
  }

  /**
   * Stored addresses `from … from+count-1` in the Addresses page's order (by label or usage, ties
   * by index). The order is cached until labels or usage change, and then patched rather than
   * sorted again, so a view of a big wallet does not sort the whole branch.
   */
  sortedAddresses(change: ChangeArg, sort: AddressSort, dir: 'asc' | 'desc', from: number, count: number): AddressInfo[] {
    const c = isChange(change);
    const list = this.book.branch(c);
    return this.book
      .sortedIndexes(c, sort, dir)
      .slice(from, from + count)
      .map((i) => this.book.info(list[i]!, c));
  }

  /**
   * Set a label; empty or null restores the default "Address #i". An address the wallet does not
   * keep yet (listed past the stored list) is stored first, within the look-ahead bound.
   */
  async setLabel(address: string, label: string | null): Promise<AddressInfo> {
    const value = validateLabel(label);
    return this.exclusive(async () => {
      if (!this.book.has(typeof address === 'string' ? address.trim() : address)) await this.storeToReach(address);
      const { entry, change } = this.book.entry(address, this.name);
      entry.label = value;
      delete entry.label_auto;
      this.book.touch(change, entry.index);
      this.dirtyAddresses = true;
      return this.book.info(entry, change);
    });
  }

  /** Mark an address used or unused (the chain layer's hook). Keeps GAP_LIMIT addresses derived past it. */
  async setUsed(address: string, used: boolean): Promise<AddressInfo> {
    return this.exclusive(async () => {
      const { entry, change } = this.book.entry(address, this.name);
      if (entry.used !== used) {
        entry.used = used;
        this.book.touch(change, entry.index);
        this.dirtyAddresses = true;
      }
      if (used) await this.ensure(change, entry.index + 1 + GAP_LIMIT);
      return this.book.info(entry, change);
    });
  }

  /**
   * Bind the wallet to a network of its key family: tpub keys serve testnet, signet and regtest
   * alike, but addresses differ (`tb1…` / `bcrt1…`), so a wallet used with a regtest node must
   * show regtest addresses. The address list is derived again for the new network (same count),
   * keeping labels, usage and services by index. A change of family is refused (the chain layer
   * reports NODE_CHAIN_MISMATCH before this). Resolves to true when something changed.
   */
  async bindNetwork(network: NetworkName): Promise<boolean> {
    if (network === this.record.network) return false;
    if (networkFamily(network) !== networkFamily(this.record.network)) {
      throw new SpecterError('NODE_CHAIN_MISMATCH', `Wallet "${this.name}" has ${this.record.network} keys and cannot serve ${network}.`, {
        hint: "Use a node of the wallet's network.",
        details: { walletNetwork: this.record.network, network },
      });
    }
    return this.exclusive(async () => {
      this.checkAddressFile();
      const descriptor = parseDescriptor(this.record.descriptor, { network });
      const deriver = createAddressDeriver(descriptor);
      const fresh: AddressesFile = { receive: [], change: [] };
      for (const change of [false, true]) {
        const old = this.book.branch(change);
        const addresses = old.length ? await deriver.derive(change ? 1 : 0, 0, old.length) : [];
        fresh[change ? 'change' : 'receive'] = old.map((e, i) => ({ ...e, address: addresses[i]! }));
      }
      this.#descriptor = descriptor;
      this.deriver = deriver;
      this.book = new AddressBook(fresh);
      this.book.touchAll();
      this.record.network = network;
      this.dirtyAddresses = this.dirtyRecord = true;
      return true;
    });
  }

  /**
   * What the chain saw, in one write: each address (by branch and index, as Core's key origin
   * says) is marked used; the list is derived up to GAP_LIMIT past the furthest one (no
   * MAX_ADDRESS_LOOKAHEAD bound here: the chain, not a caller, found the address), and the
   * receive and change indexes move past the last used address. An address that does not match
   * the derivation at its index is refused. Resolves to the addresses newly marked.
   */
  async applyChainUsage(seen: ReadonlyArray<{ address: string; change: boolean; index: number }>): Promise<string[]> {
    return this.exclusive(async () => {
      const marked: string[] = [];
      for (const change of [false, true]) {
        const mine = seen.filter((s) => s.change === change);
        if (!mine.length) continue;
        const furthest = Math.max(...mine.map((s) => s.index));
        await this.ensure(change, furthest + 1 + GAP_LIMIT);
        for (const s of mine) {
          const entry = this.book.branch(change)[s.index];
          if (!entry || entry.address !== s.address) {
            throw new SpecterError(
              'DATA_FILE_CORRUPT',
              `Address ${s.address} is not ${change ? 'change' : 'receive'} #${s.index} of wallet "${this.name}".`,
              {
                hint: "The node's wallet does not match this wallet's descriptor; re-import the wallet on the node.",
                details: { address: s.address, index: s.index, change },
              },
            );
          }
          if (!entry.used) {
            entry.used = true;
            marked.push(entry.address);
            this.book.touch(change, entry.index);
            this.dirtyAddresses = true;
          }
        }
      }
      let lastUsedChange = -1;
      for (const e of this.book.change) if (e.used) lastUsedChange = e.index;
      if (this.record.change_index < lastUsedChange + 1) {
        this.record.change_index = lastUsedChange + 1;
        this.dirtyRecord = true;
        await this.ensure(true, this.record.change_index + GAP_LIMIT);
      }
      let lastUsed = -1;
      for (const e of this.book.receive) if (e.used) lastUsed = e.index;
      if (this.record.address_index < lastUsed + 1) {
        this.record.address_index = lastUsed + 1;
        this.dirtyRecord = true;
      }
      await this.skipUnavailable();
      return marked;
    });
  }

  /** The branch and index of one of the wallet's derived addresses, or undefined. */
  findAddress(address: string): { change: boolean; index: number; serviceId: string | null } | undefined {
    if (!this.book.has(address)) return undefined;
    const { entry, change } = this.book.entry(address, this.name);
    return { change, index: entry.index, serviceId: entry.service_id };
  }

  /**
   * A number that changes whenever a stored address changes (label, usage, service) or is added, and
   * never comes back (a reload gets a new one): for caches of what is shown of the addresses.
   */
  get addressVersion(): number {
    return this.book.version;
  }

  /** How many addresses are derived on a branch. */
  derivedCount(change: ChangeArg): number {
    return this.book.branch(isChange(change)).length;
  }

  /** Every address with a label of its own (not the default "Address #i"): receive by index, then change. */
  customLabels(): Array<{ address: string; label: string }> {
    const out: Array<{ address: string; label: string }> = [];
    for (const change of [false, true])
      for (const e of this.book.branch(change)) if (e.label !== null) out.push({ address: e.address, label: e.label });
    return out;
  }

  /**
   * Set many labels at once, all or nothing, in one write. Addresses not derived yet are looked
   * for up to LABEL_LOOKAHEAD addresses per branch (a backup may label address #500); the list is
   * then extended only to the furthest one found + GAP_LIMIT. A label equal to the address's
   * default ("Address #3" on receive #3) is stored as the default. Labels must already be
   * validated (labels-io does); `null` clears a label.
   */
  async applyLabels(
    labels: ReadonlyArray<{ address: string; label: string | null }>,
    options: { onlyUnlabelled?: boolean } = {},
  ): Promise<{ applied: number; unchanged: number; unknown: string[] }> {
    return this.exclusive(async () => {
      const missing = labels.filter((l) => !this.book.has(l.address)).map((l) => l.address);
      if (missing.length) await this.deriveToFind(new Set(missing));
      let applied = 0;
      let unchanged = 0;
      const unknown: string[] = [];
      for (const { address, label } of labels) {
        if (!this.book.has(address)) {
          unknown.push(address);
          continue;
        }
        const { entry, change } = this.book.entry(address, this.name);
        const value = label === null || label === defaultLabel(change, entry.index) ? null : label;
        // Checked under the wallet's lock: a label the user set meanwhile is never overwritten.
        if ((entry.label === value && !entry.label_auto) || (options.onlyUnlabelled && entry.label !== null && !entry.label_auto)) {
          unchanged++;
          continue;
        }
        entry.label = value;
        delete entry.label_auto;
        this.book.touch(change, entry.index);
        this.dirtyAddresses = true;
        applied++;
      }
      return { applied, unchanged, unknown };
    });
  }

  /** Derive (in memory) up to LABEL_LOOKAHEAD per branch; keep the list up to the last address found + GAP_LIMIT. */
  private async deriveToFind(wanted: Set<string>): Promise<void> {
    for (const change of [false, true]) {
      const have = this.book.branch(change).length;
      if (have >= LABEL_LOOKAHEAD || wanted.size === 0) continue;
      const more = await this.checkedDeriver().derive(change ? 1 : 0, have, LABEL_LOOKAHEAD - have);
      let last = -1;
      more.forEach((a, i) => {
        if (wanted.delete(a)) last = have + i;
      });
      if (last >= 0) await this.ensure(change, last + 1 + GAP_LIMIT);
    }
  }

  /**
   * Associate (reserve) an address with a service. A label given here is an "auto" label that
   * deassociateAddress() removes again; without one the current label stays.
   */
  async associateAddress(address: string, serviceId: string, label?: string | null): Promise<AddressInfo> {
    const id = validateServiceId(serviceId);
    const value = validateLabel(label);
    return this.exclusive(async () => {
      const { entry, change } = this.book.entry(address, this.name);
      entry.service_id = id;
      if (value !== null) {
        entry.label = value;
        entry.label_auto = true;
      }
      this.book.touch(change, entry.index);
      this.dirtyAddresses = true;
      return this.book.info(entry, change);
    });
  }

  /** Release an address from its service; a label the association set goes back to the default. */
  async deassociateAddress(address: string): Promise<AddressInfo> {
    return this.exclusive(async () => {
      const { entry, change } = this.book.entry(address, this.name);
      entry.service_id = null;
      if (entry.label_auto) {
        entry.label = null;
        delete entry.label_auto;
      }
      this.book.touch(change, entry.index);
      this.dirtyAddresses = true;
      return this.book.info(entry, change);
    });
  }

  /** Addresses associated with a service: receive by index, then change (Specter's CSV order). */
  getAssociatedAddresses(serviceId: string, unusedOnly = false): AddressInfo[] {
    const out: AddressInfo[] = [];
    for (const change of [false, true]) {
      for (const e of this.book.branch(change)) {
        if (e.service_id === serviceId && !(unusedOnly && e.used)) out.push(this.book.info(e, change));
      }
    }
    return out;
  }

  /** Advance address_index past used or reserved addresses (Specter's loop, without recursion). */
  private async skipUnavailable(): Promise<void> {
    for (;;) {
      await this.ensure(false, this.record.address_index + GAP_LIMIT);
      const e = this.book.receive[this.record.address_index]!;
      if (!e.used && e.service_id === null) return;
      this.record.address_index++;
      this.dirtyRecord = true;
    }
  }

  /** The current receive address, moving past used or reserved ones first. */
  async currentReceiveAddress(): Promise<string> {
    return this.exclusive(async () => {
      await this.skipUnavailable();
      return this.book.receive[this.record.address_index]!.address;
    });
  }

  /** Next receive address: address_index + 1, skipping reserved (and used) addresses. */
  async getNewAddress(): Promise<string> {
    return this.exclusive(async () => {
      this.record.address_index++;
      this.dirtyRecord = true;
      await this.skipUnavailable();
      return this.book.receive[this.record.address_index]!.address;
    });
  }

  /**
   * A PSBT sends change to change address `index`: the change index moves past it, so the next
   * PSBT (created before this one is broadcast) gets a fresh change address.
   */
  async changeUsedBy(index: number): Promise<number> {
    return this.exclusive(async () => {
      if (this.record.change_index <= index) {
        this.record.change_index = index + 1;
        this.dirtyRecord = true;
        await this.ensure(true, this.record.change_index + GAP_LIMIT);
      }
      return this.record.change_index;
    });
  }

  /** address_index = last used receive index + 1 (0 if none), then past reserved ones. */
  async recomputeReceiveIndex(): Promise<number> {
    return this.exclusive(async () => {
      let lastUsed = -1;
      for (const e of this.book.receive) if (e.used) lastUsed = e.index;
      if (this.record.address_index !== lastUsed + 1) {
        this.record.address_index = lastUsed + 1;
        this.dirtyRecord = true;
      }
      await this.skipUnavailable();
      return this.record.address_index;
    });
  }
}
