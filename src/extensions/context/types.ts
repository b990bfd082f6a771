/**
 * The extension API: one typed context per extension, holding only what it may use. Nothing here
 * hands out a registry, a manager, a password hash or a path outside the extension's own folder.
 * Every member is documented in docs/extensions/context.md; etc/api-report.md pins the surface.
 */
import type { Logger } from '../../log/index.js';
import type { Annotations } from '../storage/annotations.js';
import type { ExtensionManifest } from '../manifest.js';
import type { ExtensionScheduler } from '../scheduler.js';
import type { UrlParams } from '../endpoints.js';
import type { CallbackStyle } from '../manifest.js';
import type { Balances, TxView, Utxo } from '../../managers/chain/index.js';

/** A JSON object: what per-user storage keeps. */
export type JsonObject = { [key: string]: unknown };

/** A user as a plugin sees one: no password hash, no secrets, no settings. */
export interface UserInfo {
  readonly id: string;
  readonly name: string;
  readonly isAdmin: boolean;
}

/**
 * The extension's per-user data, bound to its id and to its manifest's `encryptData` (there is no
 * flag to pick the other file). `Data` is the shape the author gives: `Extension<NotesData>`.
 */
export interface ExtensionStore<Data extends object> {
  /** The data, `{}` when none was saved yet (hence `Partial`). */
  get(): Promise<Partial<Data>>;
  /** Replaces the data; `{}` removes it. */
  set(data: Partial<Data>): Promise<void>;
  /**
   * Atomic read-modify-write under the file's lock: `fn` gets the stored data and returns the new
   * data. Two concurrent updates never lose each other's change. Resolves to what was stored.
   */
  update(fn: (current: Partial<Data>) => Partial<Data>): Promise<Partial<Data>>;
  /** Removes the data (works while the user's secret is locked). */
  remove(): Promise<void>;
}

export interface StorageApi<Data extends object> extends ExtensionStore<Data> {
  /**
   * Another user's data of this extension, for background work (jobs, callbacks): only users who
   * activated it, and never while serving another user's request (EXT_ACCESS_DENIED).
   */
  forUser(userId: string): ExtensionStore<Data>;
}

/** Files in the extension's own data folder (`<data>/extensions/<id>/`), written atomically. */
export interface FilesApi {
  /** The folder, created before the extension is constructed. */
  readonly folder: string;
  /** A JSON file of the folder, or `undefined` when absent. `name`: a plain file name, no `/` or `..`. */
  readJson<T>(name: string): Promise<T | undefined>;
  writeJson(name: string, data: unknown): Promise<void>;
  /** Read-modify-write under the file's lock. */
  updateJson<T>(name: string, fn: (current: T | undefined) => T): Promise<T>;
  remove(name: string): Promise<void>;
}

/** A wallet as a plugin sees one (read-only). */
export interface WalletInfo {
  readonly alias: string;
  readonly name: string;
  /** Next receive index. */
  readonly addressIndex: number;
}

/** The current user's wallets, read-only (capability `wallets:read`). Amounts are integer satoshis. */
export interface WalletsApi {
  list(): Promise<WalletInfo[]>;
  /** WALLET_NOT_FOUND when the current user has no such wallet. */
  get(alias: string): Promise<WalletInfo>;
  /** One address of the wallet: index, label, used, reserved and for whom. */
  address(alias: string, address: string): Promise<AddressInfo>;
  balance(alias: string): Promise<Balances>;
  transactions(alias: string, page?: { from?: number; count?: number }): Promise<{ total: number; items: TxView[] }>;
  utxos(alias: string): Promise<Utxo[]>;
}

/** One wallet address. */
export interface AddressInfo {
  readonly address: string;
  readonly index: number;
  readonly change: boolean;
  readonly label: string;
  readonly used: boolean;
  /** The extension it is reserved for, or null. */
  readonly serviceId: string | null;
  readonly reserved: boolean;
}

export interface ReserveOptions {
  /** How many unused addresses to keep reserved (default 10, at most 1,000). */
  count?: number;
  /** Label of each newly reserved address; default "Reserved for <plugin name>". */
  label?: string;
  /** Stored in the plugin's annotations for each newly reserved address. */
  annotations?: Annotations;
}

/** Address reservation in the current user's wallets (capability `addresses:reserve`). */
export interface AddressesApi {
  /** Keeps `count` unused addresses reserved for this plugin; resolves to all its unused reserved ones. */
  reserve(wallet: string, options?: ReserveOptions): Promise<string[]>;
  /** Reserves one given address. */
  reserveOne(wallet: string, address: string, label?: string): Promise<AddressInfo>;
  /** Releases this plugin's unused reserved addresses and their annotations; resolves to them. */
  release(wallet: string): Promise<string[]>;
  /** This plugin's reserved addresses of the wallet. */
  reserved(wallet: string, options?: { unusedOnly?: boolean }): Promise<AddressInfo[]>;
}

/** This plugin's annotations of one wallet's addresses and transactions (capability `addresses:reserve`). */
export interface WalletAnnotations {
  address(address: string): Annotations;
  addresses(): Record<string, Annotations>;
  setAddress(address: string, annotations: Annotations): Promise<void>;
  removeAddress(address: string): Promise<void>;
  tx(txid: string): Annotations;
  transactions(): Record<string, Annotations>;
  setTx(txid: string, annotations: Annotations): Promise<void>;
  removeTx(txid: string): Promise<void>;
}

export interface AnnotationsApi {
  /** The current user's wallet `alias`. */
  forWallet(alias: string): Promise<WalletAnnotations>;
}

export interface UsersApi {
  /** The user of the request (or of `asUser`), if any. Needs no capability. */
  current(): UserInfo | undefined;
  /** The users who activated this plugin (capability `users:read`). */
  list(): UserInfo[];
}

export interface ActivationApi {
  /** Whether the user activated this plugin (and it is loaded and not switched off). */
  isActiveFor(userId: string): boolean;
}

/** A response of {@link HttpApi}. */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Headers;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Default 10 s; at most 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The host's HTTP client. Reaches only the hosts of the plugin's `network:<host>` capabilities,
 * and goes through Tor when the admin set "only Tor".
 */
export interface HttpApi {
  request(url: string | URL, options?: HttpRequestOptions): Promise<HttpResponse>;
}

/**
 * Callback ids and their arguments and results. Core callbacks are listed here; a plugin adds its
 * own by declaration merging, so `define` and `execute` are typed:
 *
 * ```ts
 * declare module 'specter-ts' {
 *   interface CallbackMap { heartbeat_tick: { args: [Beat]; result: void } }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface CallbackMap {}

type ArgsOf<K> = K extends keyof CallbackMap ? (CallbackMap[K] extends { args: infer A extends unknown[] } ? A : unknown[]) : unknown[];
type ResultOf<K> = K extends keyof CallbackMap ? (CallbackMap[K] extends { result: infer R } ? R : unknown) : unknown;

/** Callbacks this plugin defines (in the manifest or with `define`) and fires for the others. */
export interface CallbacksApi {
  /** Defines a callback at run time (removed with the plugin). */
  define(id: string, style?: CallbackStyle, description?: string): void;
  /** Calls every active extension's `callback_<id>`; resolves to their results by extension id. */
  execute<K extends string>(id: K, ...args: ArgsOf<K>): Promise<Record<string, ResultOf<K>>>;
  /** Same as execute: the results by extension id (the seed's "collect" style). */
  collect<K extends string>(id: K, ...args: ArgsOf<K>): Promise<Record<string, ResultOf<K>>>;
  /** Passes `value` through each implementer in order (the seed's "middleware" style). */
  middleware<K extends string>(id: K, value: ResultOf<K>, ...rest: unknown[]): Promise<ResultOf<K>>;
}

/** One row of {@link InspectApi.extensions}. */
export interface InspectedExtension {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** builtin, plugins, list, npm, cwd, inline. */
  readonly source: string;
  readonly devstatus: string;
  /** loaded, failed, disabled, … */
  readonly status: string;
  readonly reason: string;
  /** Set when the error threshold switched it off. */
  readonly tripped: { readonly at: string; readonly reason: string } | null;
  readonly errorCount: number;
  readonly capabilities: readonly string[];
}

/** A read-only view of the framework for developer tools (capability `extensions:inspect`). */
export interface InspectApi {
  extensions(): InspectedExtension[];
  /** The last caught errors of an extension, oldest first. */
  errors(extId: string): Array<{ at: string; where: string; message: string; stack?: string | undefined }>;
  callbacks(): Array<{ id: string; style: string; definedBy: string; description: string; implementedBy: string[] }>;
  jobs(): Array<{
    id: string;
    extId: string;
    schedule: string;
    running: boolean;
    nextRun: string | null;
    lastRun: string | null;
    lastError: string | null;
    runs: number;
    failures: number;
  }>;
  /** Ids of the extensions the current user activated (and that are not switched off). */
  activeForCurrentUser(): string[];
}

/** What the loader hands to an extension: everything it may use, scoped to it. */
export interface ExtensionContext<Data extends object = JsonObject> {
  readonly id: string;
  readonly manifest: ExtensionManifest;
  /** The app config with the extension's config keys merged in (read-only). */
  readonly config: Readonly<Record<string, unknown>>;
  /** A logger tagged `{ext: id}`. */
  readonly log: Logger;
  /** The running Specter TS version. */
  readonly version: string;
  readonly files: FilesApi;
  readonly storage: StorageApi<Data>;
  readonly annotations: AnnotationsApi;
  readonly wallets: WalletsApi;
  readonly addresses: AddressesApi;
  readonly users: UsersApi;
  readonly activation: ActivationApi;
  /** Its jobs (capability `jobs`); stopped and awaited when the plugin stops. */
  readonly scheduler: ExtensionScheduler;
  readonly callbacks: CallbacksApi;
  readonly http: HttpApi;
  readonly inspect: InspectApi;
  /** A URL of a route (`notes_endpoint.index`, or `.index` for this plugin's default blueprint). */
  urlFor(endpoint: string, params?: UrlParams): string;
  /**
   * Runs `fn` as one of the users who activated this plugin (background jobs). Refused while
   * serving another user's request (EXT_ACCESS_DENIED).
   */
  asUser<T>(userId: string, fn: () => T | Promise<T>): Promise<T>;
  /** Runs when the plugin stops (disable, uninstall, update, shutdown), after its jobs stopped. */
  onDispose(fn: () => unknown): void;
}
