import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import { annotationFile, checkExtensionId, checkWalletAlias } from './names.js';
import { isPlainObject } from './service-file.js';

/**
 * Specter's `ServiceAnnotationsStorage`: data an extension attaches to a wallet's addresses and
 * transactions, in `<walletsFolder>/<wallet_alias>_<service_id>.json`, unencrypted:
 *
 *   {"addrs": {"<addr>": {…}}, "txs": {"<txid>": {…}}}
 *
 * Getters read the copy loaded by `open()`. Changes apply to that copy at once and are queued;
 * `save()` (run by every change unless `autosave` is false) replays the queue onto the file's
 * current content under its lock, so two instances on one file, or a change made elsewhere, are
 * not overwritten with an older copy.
 */

export type Annotations = Record<string, unknown>;

interface AnnotationData {
  addrs: Record<string, Annotations>;
  txs: Record<string, Annotations>;
}

export interface AnnotationsOptions {
  /** The wallet's folder (Specter: `<data>/wallets[_<user id>]`). */
  walletsFolder: string;
  walletAlias: string;
  serviceId: string;
  store: JsonFileStore;
}

const TXID_RE = /^[0-9a-f]{64}$/;

type Change = (data: AnnotationData) => void;

export class ServiceAnnotationsStorage {
  readonly path: string;
  readonly walletAlias: string;
  readonly serviceId: string;
  readonly #store: JsonFileStore;
  #data: AnnotationData = { addrs: {}, txs: {} };
  #pending: Change[] = [];

  private constructor(options: AnnotationsOptions) {
    this.walletAlias = checkWalletAlias(options.walletAlias);
    this.serviceId = checkExtensionId(options.serviceId);
    this.path = annotationFile(options.walletsFolder, this.walletAlias, this.serviceId);
    this.#store = options.store;
  }

  /** Validates the names, then loads the file (a missing file is empty and is not created). */
  static async open(options: AnnotationsOptions): Promise<ServiceAnnotationsStorage> {
    const storage = new ServiceAnnotationsStorage(options);
    await storage.reload();
    return storage;
  }

  /** Re-read the file, dropping unsaved changes. */
  async reload(): Promise<void> {
    this.#data = this.#parse(await this.#store.read<unknown>(this.path));
    this.#pending = [];
  }

  getAddrAnnotations(addr: string): Annotations {
    return structuredClone(this.#data.addrs[checkAddr(addr)] ?? {});
  }

  getAllAddrAnnotations(): Record<string, Annotations> {
    return structuredClone(this.#data.addrs);
  }

  async setAddrAnnotations(addr: string, annotations: Annotations, autosave = true): Promise<void> {
    const key = checkAddr(addr);
    const value = checkAnnotations(annotations, `address ${key}`);
    return this.#change((d) => {
      d.addrs[key] = structuredClone(value);
    }, autosave);
  }

  async removeAddrAnnotations(addr: string, autosave = true): Promise<void> {
    const key = checkAddr(addr);
    return this.#change((d) => {
      delete d.addrs[key];
    }, autosave);
  }

  getTxAnnotations(txid: string): Annotations {
    return structuredClone(this.#data.txs[checkTxid(txid)] ?? {});
  }

  getAllTxAnnotations(): Record<string, Annotations> {
    return structuredClone(this.#data.txs);
  }

  async setTxAnnotations(txid: string, annotations: Annotations, autosave = true): Promise<void> {
    const key = checkTxid(txid);
    const value = checkAnnotations(annotations, `transaction ${key}`);
    return this.#change((d) => {
      d.txs[key] = structuredClone(value);
    }, autosave);
  }

  async removeTxAnnotations(txid: string, autosave = true): Promise<void> {
    const key = checkTxid(txid);
    return this.#change((d) => {
      delete d.txs[key];
    }, autosave);
  }

  /** Write the queued changes onto the file's current content; the loaded copy becomes that result. */
  async save(): Promise<void> {
    const changes = this.#pending;
    this.#pending = [];
    try {
      const saved = (await this.#store.update<unknown>(this.path, (raw) => {
        const data = this.#parse(raw);
        for (const change of changes) change(data);
        return data;
      })) as AnnotationData;
      // Changes queued while this save waited are not in the file yet but must stay visible.
      this.#data = structuredClone(saved);
      for (const change of this.#pending) change(this.#data);
    } catch (err) {
      this.#pending = [...changes, ...this.#pending]; // nothing was written; keep them for a retry
      throw err;
    }
  }

  async #change(change: Change, autosave: boolean): Promise<void> {
    change(this.#data);
    this.#pending.push(change);
    if (autosave) await this.save();
  }

  #parse(raw: unknown): AnnotationData {
    if (raw === undefined) return { addrs: {}, txs: {} };
    const bad = (why: string): SpecterError =>
      new SpecterError('DATA_FILE_CORRUPT', `Annotation file ${this.path} ${why}.`, {
        hint: 'The file is left untouched. Repair it by hand, restore its .bkp, or delete it (the annotations are lost).',
        details: { path: this.path },
      });
    if (!isPlainObject(raw)) throw bad('must hold a JSON object');
    const addrs = raw.addrs ?? {};
    const txs = raw.txs ?? {};
    if (!isPlainObject(addrs)) throw bad('has an "addrs" that is not an object');
    if (!isPlainObject(txs)) throw bad('has a "txs" that is not an object');
    return { ...raw, addrs: addrs as AnnotationData['addrs'], txs: txs as AnnotationData['txs'] };
  }
}

function checkAddr(addr: unknown): string {
  // Addresses are keys, never paths; only refuse what cannot be one (any network's format is fine).
  if (typeof addr !== 'string' || !/^[A-Za-z0-9]{14,100}$/.test(addr)) {
    throw new SpecterError('VALIDATION', `Invalid address ${JSON.stringify(addr)} for annotations.`, {
      hint: 'Pass the address as a string of letters and digits.',
      details: { field: 'addr' },
    });
  }
  return addr;
}

function checkTxid(txid: unknown): string {
  const key = typeof txid === 'string' ? txid.toLowerCase() : txid;
  if (typeof key !== 'string' || !TXID_RE.test(key)) {
    throw new SpecterError('VALIDATION', `Invalid txid ${JSON.stringify(txid)} for annotations: it must be 64 hex digits.`, {
      details: { field: 'txid' },
    });
  }
  return key;
}

function checkAnnotations(value: unknown, what: string): Annotations {
  if (!isPlainObject(value)) {
    throw new SpecterError('VALIDATION', `Annotations for ${what} must be a plain object.`, { details: { field: 'annotations' } });
  }
  try {
    JSON.stringify(value);
  } catch (err) {
    throw new SpecterError('VALIDATION', `Annotations for ${what} cannot be stored as JSON: ${(err as Error).message}`, {
      details: { field: 'annotations' },
      cause: err,
    });
  }
  return value;
}
