/**
 * WalletManager: the wallets of one user (files documented in wallet-record.ts): the admin's in
 * `<data>/wallets/`, every other user's in `<data>/wallets_<user id>/` (Specter's layout).
 *
 * Creation and import validate everything — names, devices, keys, the descriptor with all its
 * policy rules — before the first write, so a refused request leaves the folder untouched. The
 * writes then go: new devices (imports only), address list, wallet definition; a failure part-way
 * removes what this call wrote.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { getNetwork, parseDescriptor, type NetworkName, type ParsedDescriptor } from '../../bitcoin/index.js';
import { withFileLock, type JsonFileStore } from '../../persistence/index.js';
import { fileProblem, type DataFileProblem } from '../data-file-problem.js';
import { isValidAlias, uniqueAlias, validateName } from '../devices/alias.js';
import type { Device } from '../devices/device.js';
import type { DeviceManager } from '../devices/device-manager.js';
import { AddressBook } from './address-book.js';
import { parseWalletBackup, planImportDevices, toWalletBackup, type BackupDevice, type WalletBackup } from './backup.js';
import { checkTextLength, MAX_IMPORT_TEXT } from './input-limits.js';
import { checkDeviceCount, multisigFromDevices, singleSigFromDevice, type MultisigOptions, type SingleSigOptions } from './device-descriptors.js';
import { fromSpecterLabels, parseLabels, type AddressLabel, type LabelFormat } from './labels-io.js';
import { Wallet } from './wallet.js';
import { ADDRESSES_SUFFIX, descriptorStamp, parseWalletRecord, type WalletRecord } from './wallet-record.js';
import { AddressJournal } from './address-journal.js';

export const WALLETS_FOLDER = 'wallets';
/** Wallets list() loads at once. */
const LOAD_CONCURRENCY = 8;
/** Most keys in a multisig wallet created here (Specter's limit). */
export interface WalletManagerOptions {
  /** Network for new wallets when a call does not name one (the node's chain); else taken from the keys. */
  network?: NetworkName;
  /** Folder name inside the data folder; default `wallets` (the admin's). */
  folder?: string;
}

/**
 * What makes two wallets the same wallet: script type, policy and keys (canonical xpubs with
 * their derivation steps, in order unless the script sorts them), on one network. Key origins
 * are left out: they do not change a single address. (`descriptor` has passed its checks already,
 * so its canonical form is parsed without the cross-check.)
 */
export function walletIdentity(descriptor: ParsedDescriptor): string {
  const canonical = descriptor.multipathDescriptor
    ? parseDescriptor(descriptor.multipathDescriptor, { network: descriptor.network, trusted: true })
    : descriptor;
  const keys = canonical.keys.map((k) => `${k.xpub ?? k.pubkey}${k.derivation}`);
  if (canonical.sorted || canonical.kind === 'singlesig') keys.sort();
  return JSON.stringify([canonical.network, canonical.kind, canonical.scriptType, canonical.threshold, canonical.sorted, keys]);
}

export interface ImportOptions {
  name?: string;
  network?: NetworkName;
  blockheight?: number;
  /** Create devices for keys no existing device holds (default true). */
  createDevices?: boolean;
}

/** What a labels import did. */
export interface LabelImportReport {
  format: LabelFormat;
  /** Address labels in the file. */
  total: number;
  /** Labels set or changed. */
  applied: number;
  /** Already so. */
  unchanged: number;
  /** Addresses not of this wallet (within the first 1,000 of each branch). */
  unknown: string[];
  /** Records for things other than addresses, by kind ("tx", "output", …), not kept. */
  skipped: Partial<Record<string, number>>;
}

function validateBlockheight(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new SpecterError('WALLET_INVALID', `The block height must be a non-negative whole number, got ${String(value)}.`, {
      details: { field: 'blockheight' },
    });
  }
  return value as number;
}

export class WalletManager {
  readonly walletsFolder: string;
  private readonly cache = new Map<string, Wallet>();
  private readonly loading = new Map<string, Promise<Wallet | undefined>>();
  private scanned = false;
  #problems: DataFileProblem[] = [];

  constructor(
    readonly dataFolder: string,
    private readonly store: JsonFileStore,
    private readonly devices: DeviceManager,
    private readonly options: WalletManagerOptions = {},
  ) {
    this.walletsFolder = path.join(dataFolder, options.folder ?? WALLETS_FOLDER);
  }

  private files(alias: string) {
    return {
      record: path.join(this.walletsFolder, `${alias}.json`),
      addresses: path.join(this.walletsFolder, `${alias}${ADDRESSES_SUFFIX}.json`),
    };
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(path.join(this.walletsFolder, '.manager-lock'), fn);
  }

  /** File stems in the wallets folder (wallets, address lists, annotations). */
  private async stems(): Promise<Set<string>> {
    try {
      return new Set((await readdir(this.walletsFolder)).map((n) => /^(.+)\.json(?:\.bkp)?$/.exec(n)?.[1]).filter((s): s is string => !!s));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw err;
    }
  }

  /**
   * The wallet, loaded once: concurrent first requests (a page and its sidebar, two tabs after a
   * start) share one load, so there is never a second Wallet object — with its own address list in
   * memory — for the same files.
   */
  private load(alias: string): Promise<Wallet | undefined> {
    const cached = this.cache.get(alias);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(alias);
    if (!pending) {
      pending = this.loadUncached(alias).finally(() => this.loading.delete(alias));
      this.loading.set(alias, pending);
    }
    return pending;
  }

  private async loadUncached(alias: string): Promise<Wallet | undefined> {
    // Aliases never hold "_": `<alias>_addresses.json` and the extensions' `<alias>_<id>.json` do.
    if (!isValidAlias(alias)) return undefined;
    const files = this.files(alias);
    const raw = await this.store.read<unknown>(files.record);
    if (raw === undefined) return undefined;
    const record = parseWalletRecord(raw, files.record, alias);
    const journal = new AddressJournal(this.store, files.addresses);
    const addresses = await journal.read();
    // A descriptor this app fully checked when it saved it is not cross-checked again (2.2 s for 100
    // wallets before): its stamp must match, and the wallet compares the stored address #0 of each
    // branch with today's derivation before it derives anything. See descriptorStamp().
    const trusted = record.descriptor_checked === descriptorStamp(record.network, record.descriptor) && (addresses?.receive.length ?? 0) > 0;
    let descriptor: ParsedDescriptor;
    try {
      descriptor = parseDescriptor(record.descriptor, { network: record.network, trusted });
    } catch (err) {
      if (!isSpecterError(err)) throw err;
      // A stored descriptor that no longer parses makes the file unusable: reported like any damage.
      throw new SpecterError('DATA_FILE_CORRUPT', `Wallet file ${files.record} is invalid: its descriptor does not parse (${err.message}).`, {
        hint: `Restore ${files.record}.bkp, or fix the descriptor by hand.`,
        details: { path: files.record },
        cause: err,
      });
    }
    const book = new AddressBook(addresses ?? { receive: [], change: [] });
    const wallet = await Wallet.open(record, book, descriptor, this.store, files, journal, trusted);
    if (addresses === undefined || record.keypool !== book.receive.length || record.change_keypool !== book.change.length) await wallet.fillKeypool();
    if (!wallet.descriptorStamped) await wallet.stampDescriptor();
    this.cache.set(alias, wallet);
    return wallet;
  }

  /**
   * All wallets, by name. Files whose name holds "_" are address lists and extension annotations,
   * never wallets. Every other `.json` file is a wallet: one that cannot be used is not hidden
   * but listed in {@link problems}, and the other wallets are listed as usual.
   */
  async list(): Promise<Wallet[]> {
    if (!this.scanned) {
      const problems: DataFileProblem[] = [];
      const candidates: Array<{ stem: string; file: string }> = [];
      for (const stem of await this.stems()) {
        if (stem.includes('_')) continue;
        const file = path.join(this.walletsFolder, `${stem}.json`);
        if (!isValidAlias(stem)) {
          const err = new SpecterError(
            'DATA_FILE_CORRUPT',
            `Wallet file ${file} is not named after a wallet alias (lowercase letters, digits, "-").`,
          );
          problems.push(fileProblem(this.dataFolder, file, err)!);
          continue;
        }
        candidates.push({ stem, file });
      }
      // Loaded a few at a time, so one wallet's file reads overlap another's parsing.
      for (let i = 0; i < candidates.length; i += LOAD_CONCURRENCY) {
        await Promise.all(
          candidates.slice(i, i + LOAD_CONCURRENCY).map(async ({ stem, file }) => {
            try {
              await this.load(stem);
            } catch (err) {
              const problem = fileProblem(this.dataFolder, file, err);
              if (!problem) throw err;
              problems.push(problem);
            }
          }),
        );
      }
      this.#problems = problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      this.scanned = true;
    }
    return [...this.cache.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Wallet files that could not be used, found by the first list() (which scans the folder once):
   * `{file: "wallets/x.json", reason: "…"}`, for pages to show next to the list.
   */
  get problems(): readonly DataFileProblem[] {
    return this.#problems.map((p) => ({ ...p }));
  }

  /** Refuses a wallet this user already has under another name (WALLET_DUPLICATE names it). */
  private async assertNotDuplicate(descriptor: ParsedDescriptor): Promise<void> {
    const identity = walletIdentity(descriptor);
    const existing = (await this.list()).find((w) => walletIdentity(w.descriptor) === identity);
    if (existing) {
      throw new SpecterError('WALLET_DUPLICATE', `You already have this wallet: "${existing.name}" has the same keys, policy and script type.`, {
        hint: `Open wallet "${existing.name}" instead; a second copy would show the same addresses and coins.`,
        details: { alias: existing.alias, name: existing.name },
      });
    }
  }

  /** The wallet, or WALLET_NOT_FOUND. */
  async get(alias: string): Promise<Wallet> {
    const wallet = await this.load(alias);
    if (!wallet) {
      throw new SpecterError('WALLET_NOT_FOUND', `There is no wallet "${alias}".`, {
        hint: 'Check the wallet alias in the URL, or create or import the wallet first.',
        details: { alias },
      });
    }
    return wallet;
  }

  private async checkName(name: string): Promise<string> {
    const valid = validateName(name, 'wallet', 'WALLET_INVALID');
    const clash = (await this.list()).find((w) => w.name.toLowerCase() === valid.toLowerCase());
    if (clash) {
      throw new SpecterError('WALLET_EXISTS', `A wallet named "${clash.name}" already exists.`, {
        hint: 'Choose another name.',
        details: { alias: clash.alias },
      });
    }
    return valid;
  }

  /** Write a new wallet (address list, then definition); undo this call's writes on failure. */
  private async persistNew(
    name: string,
    given: ParsedDescriptor,
    blockheight: number,
    deviceAliases: string[],
    rollback: () => Promise<void> = async () => {},
  ): Promise<Wallet> {
    let files: { record: string; addresses: string } | undefined;
    try {
      // Wallets keep one canonical form: the multipath descriptor (a /0/* import becomes <0;1>).
      const descriptor = parseDescriptor(given.multipathDescriptor!, { network: given.network });
      const stems = await this.stems();
      const alias = uniqueAlias(
        name,
        'wallet',
        (a) => this.cache.has(a) || stems.has(a) || stems.has(a + ADDRESSES_SUFFIX) || a.endsWith(ADDRESSES_SUFFIX),
      );
      files = this.files(alias);
      const record: WalletRecord = {
        alias,
        name,
        descriptor: descriptor.descriptor,
        network: descriptor.network,
        blockheight,
        devices: deviceAliases,
        address_index: 0,
        change_index: 0,
        keypool: 0,
        change_keypool: 0,
      };
      const wallet = await Wallet.open(record, new AddressBook({ receive: [], change: [] }), descriptor, this.store, files);
      await wallet.fillKeypool();
      this.cache.set(alias, wallet);
      return wallet;
    } catch (err) {
      if (files) {
        await new AddressJournal(this.store, files.addresses).delete().catch(() => false);
        await this.store.delete(files.record).catch(() => false);
      }
      await rollback().catch(() => undefined);
      throw err;
    }
  }

  private network(requested: NetworkName | undefined): NetworkName | undefined {
    const n = requested ?? this.options.network;
    return n === undefined ? undefined : getNetwork(n).name;
  }

  /** Single-sig wallet from one device key (wpkh by default). */
  async createSingleSig(opts: SingleSigOptions): Promise<Wallet> {
    return this.exclusive(async () => {
      const name = await this.checkName(opts.name);
      const blockheight = validateBlockheight(opts.blockheight);
      const network = this.network(opts.network);
      const device = await this.devices.get(opts.device);
      const descriptor = singleSigFromDevice(device, opts, network);
      await this.assertNotDuplicate(descriptor);
      return this.persistNew(name, descriptor, blockheight, [device.alias]);
    });
  }

  /** m-of-n multisig from one key of each listed device (n ≤ 15). */
  async createMultisig(opts: MultisigOptions): Promise<Wallet> {
    return this.exclusive(async () => {
      const name = await this.checkName(opts.name);
      const blockheight = validateBlockheight(opts.blockheight);
      const network = this.network(opts.network);
      checkDeviceCount(opts.devices);
      const selected: Device[] = [];
      for (const alias of opts.devices) selected.push(await this.devices.get(alias));
      const descriptor = multisigFromDevices(selected, opts, network);
      await this.assertNotDuplicate(descriptor);
      return this.persistNew(name, descriptor, blockheight, opts.devices.slice());
    });
  }

  /** Import from a descriptor (receive `/0/*`, multipath `<0;1>` or legacy `{0,1}`). */
  async importDescriptor(descriptor: string, opts: ImportOptions & { name: string }): Promise<Wallet> {
    checkTextLength(descriptor, MAX_IMPORT_TEXT, 'descriptor', 'data');
    return this.exclusive(() => this.importParsed(descriptor, opts, []));
  }

  /**
   * Import Specter's backup JSON (text or object), with its address labels. Labels are checked
   * before the first write.
   */
  async importBackup(backup: string | object, opts: ImportOptions = {}): Promise<Wallet> {
    if (typeof backup === 'string')
      checkTextLength(backup, MAX_IMPORT_TEXT, 'wallet backup', 'data', 'A backup this large is unusual: check that the right file was pasted.');
    const parsed = parseWalletBackup(backup);
    const labels = fromSpecterLabels(parsed.labels);
    return this.exclusive(async () => {
      const wallet = await this.importParsed(
        parsed.descriptor,
        { ...opts, name: opts.name ?? parsed.label, blockheight: opts.blockheight ?? parsed.blockheight },
        parsed.devices,
      );
      if (labels.length) await wallet.applyLabels(labels);
      return wallet;
    });
  }

  /** The wallet's own labels (not the default "Address #i"), receive by index then change. */
  async exportLabels(alias: string): Promise<AddressLabel[]> {
    return (await this.get(alias)).customLabels();
  }

  /**
   * Apply a labels file (Specter, Electrum or BIP-329; detected unless `format` is given) to this
   * wallet: addresses of the wallet get their label, others are counted as unknown, records for
   * transactions/outputs are counted as skipped. A bad file changes nothing.
   */
  async importLabels(alias: string, text: string, format?: LabelFormat): Promise<LabelImportReport> {
    checkTextLength(text, MAX_IMPORT_TEXT, 'labels file', 'data', 'Split the file, or import the labels of one wallet at a time.');
    const wallet = await this.get(alias);
    const parsed = parseLabels(text, format);
    const result = await wallet.applyLabels(parsed.labels);
    return { format: parsed.format, total: parsed.labels.length, ...result, skipped: parsed.skipped };
  }

  private async importParsed(text: string, opts: ImportOptions & { name: string }, backupDevices: BackupDevice[]): Promise<Wallet> {
    const name = await this.checkName(opts.name);
    const blockheight = validateBlockheight(opts.blockheight);
    const network = this.network(opts.network);
    const descriptor = parseDescriptor(text, { network });
    if (!descriptor.ranged || descriptor.changeMode === 'none' || descriptor.keys.some((k) => !k.xpub || !k.wildcard)) {
      throw new SpecterError('WALLET_INVALID', 'A wallet descriptor needs extended keys with receive and change branches.', {
        hint: 'Use keys like [fingerprint/path]xpub…/<0;1>/* (or /0/* for the receive descriptor).',
      });
    }
    await this.assertNotDuplicate(descriptor);
    const { aliases, planned } = planImportDevices(descriptor, await this.devices.list(), backupDevices, opts.createDevices !== false, (t) =>
      this.devices.types.has(t),
    );
    const created: string[] = [];
    const rollback = async () => {
      for (const alias of created) await this.devices.remove(alias).catch(() => undefined);
    };
    try {
      for (const p of planned) {
        const device = await this.devices.create(p.name, p.type, p.key);
        created.push(device.alias);
        aliases.push(device.alias);
      }
    } catch (err) {
      await rollback();
      throw err;
    }
    return this.persistNew(name, descriptor, blockheight, aliases, rollback);
  }

  /** Specter-compatible backup JSON: label, blockheight, receive descriptor, devices in key order. */
  async exportBackup(alias: string): Promise<WalletBackup> {
    const wallet = await this.get(alias);
    const devices: Device[] = [];
    for (const a of wallet.devices) {
      try {
        devices.push(await this.devices.get(a));
      } catch (err) {
        if (!isSpecterError(err, 'DEVICE_NOT_FOUND')) throw err;
      }
    }
    return toWalletBackup(wallet.name, wallet.blockheight, wallet.descriptor, devices, wallet.customLabels());
  }

  /** The wallet descriptor in its three forms (multipath, receive, change), each with checksum. */
  async exportDescriptor(alias: string): Promise<{ descriptor: string; receiveDescriptor: string; changeDescriptor: string }> {
    const d = (await this.get(alias)).descriptor;
    return { descriptor: d.multipathDescriptor!, receiveDescriptor: d.receiveDescriptor, changeDescriptor: d.changeDescriptor! };
  }

  /** Delete the wallet definition and address list (annotation files belong to their extensions). */
  async remove(alias: string): Promise<void> {
    await this.exclusive(async () => {
      const wallet = await this.get(alias);
      await this.store.delete(wallet.files.record);
      await wallet.deleteAddressFiles();
      this.cache.delete(alias);
    });
  }
}
