import { SpecterError } from '../../errors/index.js';
import { Fernet, InvalidTokenError, type JsonFileStore } from '../../persistence/index.js';
import { STORAGE_VERSION, VERSION_FIELD } from './names.js';
import { damagedEntry, entryIds, type ServiceFile } from './service-file.js';
import { UserServiceStore } from './user-store.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `<data>/users/<username>/services.json` (Specter's `<username>_services.json`): each entry is a Fernet token of the extension's JSON text,
 * the key being the user's decrypted user secret (the 44-character string itself is the Fernet
 * key, as in Specter). The secret is given per instance and never stored here beyond the Fernet
 * object, which lives as long as the caller keeps the store.
 */
export class EncryptedUserStore extends UserServiceStore {
  readonly #fernet: Fernet;

  constructor(path: string, store: JsonFileStore, userSecret: string) {
    super(path, store);
    this.#fernet = new Fernet(userSecret); // CRYPTO_BAD_KEY for anything that is not a Fernet key
  }

  protected override encode(_extId: string, text: string): string {
    return this.#fernet.encrypt(text);
  }

  protected override decode(extId: string, token: string): string {
    let bytes: Buffer;
    try {
      bytes = this.#fernet.decrypt(token);
    } catch (err) {
      throw new InvalidTokenError(
        `The data of extension "${extId}" in ${this.path} cannot be decrypted: the token was altered or made with another user secret.`,
        { extensionId: extId, path: this.path, reason: (err as InvalidTokenError).details?.reason },
      );
    }
    try {
      return utf8.decode(bytes);
    } catch (err) {
      throw damagedEntry(extId, this.path, 'it decrypts to bytes that are not UTF-8 text', err);
    }
  }

  /** Specter refuses other versions ("upgrading … is not yet implemented"); so do we, clearly. */
  protected override checkFile(file: ServiceFile): void {
    const version = file[VERSION_FIELD];
    if (version === undefined || version === STORAGE_VERSION) return;
    throw new SpecterError(
      'ENCRYPTED_STORAGE_VERSION',
      `Extension data file ${this.path} has encrypted_storage_version ${JSON.stringify(version)}; ` +
        `Specter TS reads version ${STORAGE_VERSION} only.`,
      {
        hint: 'The file is left untouched. Open it with the program that wrote it, or remove it to start over.',
        details: { path: this.path, version },
      },
    );
  }

  /**
   * Before writing an entry, prove the key opens at least one existing entry (any will do, so a
   * single damaged entry can still be overwritten). A wrong secret passed through `withSecret`
   * would otherwise leave a file that no single key can read.
   */
  protected override checkWritable(file: ServiceFile, extId: string): void {
    const others = entryIds(file).filter((id) => typeof file[id] === 'string');
    if (others.length === 0) return;
    for (const id of others) {
      try {
        this.#fernet.decrypt(file[id] as string);
        return;
      } catch {
        // try the next one
      }
    }
    throw new InvalidTokenError(
      `Refusing to write the data of extension "${extId}" to ${this.path}: the user secret in use opens none of its ${others.length} entries.`,
      { extensionId: extId, path: this.path, reason: 'wrong-key' },
    );
  }
}
