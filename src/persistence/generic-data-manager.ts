import { resolve } from 'node:path';
import { SpecterError } from '../errors/index.js';
import { Fernet, InvalidTokenError } from './fernet.js';
import { JsonFileStore } from './json-file-store.js';

/**
 * Specter Desktop's `GenericDataManager`: one JSON object in one file, kept in memory as `data`,
 * with optional field-level encryption at rest. Meant to be subclassed (extension storage, OTPs…).
 *
 * - `encryptedFields`: the top-level keys whose (string) values are Fernet-encrypted on disk, or a
 *   function of the data (see `allFieldsButVersion`, what Specter's service storage uses).
 * - With a key, `load()` decrypts those fields and `save()` encrypts them in a copy; memory always
 *   holds plaintext. Without a key the values are stored as they are.
 * - Whenever the field list is non-empty (even without a key) the file gets
 *   `"encrypted_storage_version": 1`, as in Specter.
 */

export const ENCRYPTED_STORAGE_VERSION_FIELD = 'encrypted_storage_version';

export type JsonObject = Record<string, unknown>;
export type EncryptedFields<T extends JsonObject> = readonly string[] | ((data: T) => readonly string[]);

/** Every top-level key except `encrypted_storage_version` (Specter's `ServiceEncryptedStorage`). */
export function allFieldsButVersion(data: JsonObject): string[] {
  return Object.keys(data).filter((k) => k !== ENCRYPTED_STORAGE_VERSION_FIELD);
}

export interface GenericDataManagerOptions<T extends JsonObject> {
  /** The Fernet key (e.g. the user secret). Absent, null or '' means: store in plaintext. */
  encryptionKey?: string | Buffer | null;
  encryptedFields?: EncryptedFields<T>;
  /** Share one store (and its onPersist hook) across managers. */
  store?: JsonFileStore;
}

export class GenericDataManager<T extends JsonObject = JsonObject> {
  /** Overridable in subclasses (a field initializer or getter) or set through the options. */
  encryptedFields: EncryptedFields<T> = [];
  readonly encryptedStorageVersion: number = 1;
  /** The plaintext data; valid after `load()`. */
  data: T = {} as T;

  /** Absolute path of the file. */
  readonly dataFile: string;
  protected readonly store: JsonFileStore;
  readonly #fernet: Fernet | undefined;

  constructor(dataFile: string, options: GenericDataManagerOptions<T> = {}) {
    this.dataFile = resolve(dataFile);
    this.store = options.store ?? new JsonFileStore();
    this.#fernet = options.encryptionKey ? new Fernet(options.encryptionKey) : undefined;
    if (options.encryptedFields) this.encryptedFields = options.encryptedFields;
  }

  /** Content for a file that does not exist yet. */
  initialData(): T {
    return {} as T;
  }

  protected fieldsOf(data: T): readonly string[] {
    return typeof this.encryptedFields === 'function' ? this.encryptedFields(data) : this.encryptedFields;
  }

  /** Read the file (creating it from `initialData()` if missing) and decrypt the encrypted fields. */
  async load(): Promise<T> {
    const stored = await this.store.read<unknown>(this.dataFile);
    if (stored === undefined) {
      this.data = this.initialData();
      await this.save();
      return this.data;
    }
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
      throw new SpecterError('DATA_FILE_CORRUPT', `Data file ${this.dataFile} must hold a JSON object.`, {
        hint: 'The file is left untouched. Repair it by hand or restore its .bkp.',
        details: { path: this.dataFile },
      });
    }
    const data = stored as T;
    if (this.#fernet) {
      const version = data[ENCRYPTED_STORAGE_VERSION_FIELD];
      if (version !== undefined && version !== this.encryptedStorageVersion) {
        throw new SpecterError(
          'ENCRYPTED_STORAGE_VERSION',
          `Data file ${this.dataFile} has encrypted_storage_version ${JSON.stringify(version)}; ` +
            `this version of Specter TS reads version ${this.encryptedStorageVersion} only.`,
          {
            hint: 'Upgrading a previous encryption version is not implemented. Use the Specter TS version that wrote the file.',
            details: { path: this.dataFile, version },
          },
        );
      }
      for (const field of this.fieldsOf(data)) {
        const value = data[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string') {
          throw new InvalidTokenError(`Field "${field}" of ${this.dataFile} should be an encrypted string.`, { path: this.dataFile, field });
        }
        try {
          (data as JsonObject)[field] = this.#fernet.decrypt(value).toString('utf8');
        } catch (err) {
          throw new InvalidTokenError(`Field "${field}" of ${this.dataFile} cannot be decrypted: wrong key or damaged value.`, {
            path: this.dataFile,
            field,
            reason: (err as InvalidTokenError).details?.reason,
          });
        }
      }
    }
    this.data = data;
    return data;
  }

  /**
   * Write `data`, encrypting a deep copy. The copy is taken synchronously, so what is saved is the
   * data as it was when `save()` was called, and saves land in call order (the file lock is FIFO).
   */
  async save(): Promise<void> {
    // Everything up to the write's lock request runs synchronously (no await before it).
    const output = structuredClone(this.data) as JsonObject;
    const fields = this.fieldsOf(this.data);
    if (this.#fernet) {
      for (const field of fields) {
        const value = output[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string') {
          throw new SpecterError('VALIDATION', `Field "${field}" of ${this.dataFile} must be a string to be encrypted (got ${typeof value}).`, {
            hint: 'Store structured data as a JSON string (JSON.stringify) in encrypted fields.',
            details: { path: this.dataFile, field },
          });
        }
        output[field] = this.#fernet.encrypt(value);
      }
    }
    if (fields.length > 0) output[ENCRYPTED_STORAGE_VERSION_FIELD] = this.encryptedStorageVersion;
    await this.store.write(this.dataFile, output);
  }
}
