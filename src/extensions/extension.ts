import { SpecterError } from '../errors/index.js';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { CallbackRegistry } from './callbacks.js';
import type { ExtensionCallbacks } from './callback-catalogue.js';
import type { ExtensionHost } from './host.js';
import type { ExtensionManifest, ExtensionManifestInput } from './manifest.js';
// --- address reservation (wallets): begin
import { reserveAddress, reserveAddresses, unreserveAddresses, type ReserveAddressesOptions, type WalletAddress } from './address-reservation.js';
// --- address reservation (wallets): end

/**
 * Brand shared by every copy of this module (`Symbol.for`), so an extension that bundles its own
 * copy of specter-ts is still recognised. `instanceof` would fail across copies.
 */
export const EXTENSION_BRAND: unique symbol = Symbol.for('specter-ts.Extension') as never;

/** An extension's per-user data: a JSON object. */
export type ServiceData = Record<string, unknown>;

/** The part of the host's storage service the Extension convenience methods use. */
export interface ExtensionStorageApi {
  getCurrentUserServiceData(extId: string, encrypt: boolean): Promise<ServiceData>;
  setCurrentUserServiceData(extId: string, encrypt: boolean, data: ServiceData): Promise<void>;
  updateCurrentUserServiceData(extId: string, encrypt: boolean, partial: ServiceData): Promise<ServiceData>;
}

/** What the loader hands to an extension's constructor. */
export interface ExtensionContext {
  host: ExtensionHost;
  /** `<data>/extensions/<id>/`, created before the constructor runs. */
  dataFolder: string;
  /** The app config, extension config keys merged in. */
  config: AppConfig;
  /** A child logger tagged with `{ext: id}`. */
  logger: Logger;
  /** The validated manifest (class and package.json merged, defaults applied). */
  manifest: ExtensionManifest;
  /** The callback registry: fire or define callbacks. */
  callbacks: CallbackRegistry;
}

/** What the base-page injection hooks receive: the template context of the page being rendered. */
export interface InjectionView {
  request?: unknown;
  user?: unknown;
  [key: string]: unknown;
}

/** The user passed to `onUserLogin`; the app's User class satisfies it structurally. */
export interface ExtensionUser {
  readonly id: string;
  readonly username: string;
}

/**
 * The base class of every extension (the seed's `Service`, renamed as the seed planned).
 *
 * Declare the manifest as one static object, `static override manifest = { id: 'swan', … }`
 * (TypeScript forbids `static name`, and one object is what the class and the package.json styles
 * share), or put it in package.json under `"specterExtension"`. Both go through one schema.
 *
 * Seed (Python class attribute) → Specter TS manifest field:
 *
 * | seed                         | Specter TS            | default / note                                   |
 * |------------------------------|-----------------------|--------------------------------------------------|
 * | `id`                         | `id`                  | required; `[a-z0-9_]+`                           |
 * | `name`                       | `name`                | required                                         |
 * | `icon`                       | `icon`                | path in the static folder                        |
 * | `logo`                       | `logo`                |                                                  |
 * | `desc`                       | `desc`                | `""`                                             |
 * | `has_blueprint`              | `hasBlueprint`        | `true`                                           |
 * | `blueprint_module`           | `blueprintModule`     | module path; default `controller.js` next to main|
 * | `blueprint_modules`          | `blueprintModules`    | `{default, …}`; `default` required, no `""` key  |
 * | `isolated_client`            | `isolatedClient`      | `false`                                          |
 * | `devstatus` (`devstatus_*`)  | `devstatus`           | `"alpha"` (`alpha`/`beta`/`prod`)                |
 * | `optionality`                | `optionality`         | `"opt_in"` (`opt_in`/`opt_out`/`mandatory`)      |
 * | `visible_in_sidebar`         | `visibleInSidebar`    | `true`                                           |
 * | `encrypt_data`               | `encryptData`         | `false`                                          |
 * | `sort_priority`              | `sortPriority`        | `0`                                              |
 * | `depends` (classes)          | `depends`             | ids, or `{id: semverRange}`                      |
 * | `devices` (modules)          | `devices`             | module paths (or classes on the class manifest)  |
 * | (node classes)               | `nodes`               | as `devices`                                     |
 * | `callbacks` (modules)        | `callbacks`           | `[{id, style, description}]`, registered at load |
 * | `<org>.specterext.<id>.config` | `configModule`      | default `config.js` next to main                 |
 * | (setup.py version)           | `version`             | package.json `version`                           |
 * | —                            | `engines`             | semver range of Specter TS, e.g. `">=0.1.0"`     |
 * | —                            | `main` (package.json) | module exporting the class; optional             |
 * | Blueprint `template_folder`  | `templates`           | `"templates"`                                    |
 * | Blueprint `static_folder`    | `static`              | `"static"`                                       |
 * | `data_folder`                | `this.dataFolder`     | `<data>/extensions/<id>/`                        |
 * | `callback_<id>(…)`           | `callback_<id>(…)`    | same names; see {@link ExtensionCallbacks}       |
 * | `inject_in_basejinja_head()` | `injectInBasejinjaHead(view)` | also `…BodyTop`, `…BodyBottom`          |
 * | `on_user_login()`            | `onUserLogin(user)`   |                                                  |
 * | `get_blueprint_name()`       | `` `${id}_endpoint` `` | see blueprint.ts                                |
 *
 * Module paths (`main`, `blueprintModule(s)`, `configModule`, `devices`, `nodes`) are relative to
 * the package folder, like `main` in package.json.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below only adds optional callback_* signatures
export class Extension {
  static readonly [EXTENSION_BRAND] = true;
  /** The class-style manifest. Subclasses: `static override manifest = {...}`. */
  static manifest?: ExtensionManifestInput;

  readonly #ctx: ExtensionContext;

  constructor(ctx: ExtensionContext) {
    this.#ctx = ctx;
  }

  get id(): string {
    return this.#ctx.manifest.id;
  }

  get manifest(): ExtensionManifest {
    return this.#ctx.manifest;
  }

  /** `<data>/extensions/<id>/`, created on load. */
  get dataFolder(): string {
    return this.#ctx.dataFolder;
  }

  get logger(): Logger {
    return this.#ctx.logger;
  }

  get host(): ExtensionHost {
    return this.#ctx.host;
  }

  get config(): AppConfig {
    return this.#ctx.config;
  }

  get callbacks(): CallbackRegistry {
    return this.#ctx.callbacks;
  }

  /** Blueprint name of the default blueprint (the seed's `get_blueprint_name()`). */
  get blueprintName(): string {
    return `${this.id}_endpoint`;
  }

  /** The seed's `default_address_label()`. */
  defaultAddressLabel(): string {
    return `Reserved for ${this.manifest.name}`;
  }

  // --- address reservation (wallets): begin — see address-reservation.ts for the rules.
  /** Reserves one address of the wallet for this extension (label default `defaultAddressLabel()`). Unknown wallet → WALLET_NOT_FOUND. */
  reserveAddress(walletAlias: string, address: string, label?: string): Promise<WalletAddress> {
    return reserveAddress(this, walletAlias, address, label);
  }

  /**
   * Keeps `numAddresses` (default 10) unused addresses reserved, interleaved with free ones, and
   * resolves to ALL this extension's unused reserved addresses of the wallet (Specter returned
   * `[]` when enough existed). `annotations` are stored for each newly reserved address.
   */
  reserveAddresses(walletAlias: string, options?: ReserveAddressesOptions): Promise<string[]> {
    return reserveAddresses(this, walletAlias, options);
  }

  /** Releases this extension's unused reserved addresses of the wallet and their annotations; resolves to them. */
  unreserveAddresses(walletAlias: string): Promise<string[]> {
    return unreserveAddresses(this, walletAlias);
  }
  // --- address reservation (wallets): end

  /**
   * The current user's data of this extension (`{}` when none), from the encrypted store when the
   * manifest says `encryptData`, else the unencrypted one (the seed's convenience methods).
   * Outside a request (scheduler jobs) use `host.services.storage.forUser(user)` instead.
   */
  getCurrentUserServiceData(): Promise<ServiceData> {
    return this.#storage().getCurrentUserServiceData(this.id, this.manifest.encryptData);
  }

  /** Replaces the current user's data of this extension (`{}` removes it). */
  setCurrentUserServiceData(data: ServiceData): Promise<void> {
    return this.#storage().setCurrentUserServiceData(this.id, this.manifest.encryptData, data);
  }

  /** Shallow-merges into the current user's data of this extension. */
  updateCurrentUserServiceData(partial: ServiceData): Promise<ServiceData> {
    return this.#storage().updateCurrentUserServiceData(this.id, this.manifest.encryptData, partial);
  }

  #storage(): ExtensionStorageApi {
    const storage = this.#ctx.host.services.storage as ExtensionStorageApi | undefined;
    if (!storage)
      throw new SpecterError('EXT_STORAGE', `Extension "${this.id}": the host provides no storage.`, {
        hint: 'Run the extension inside Specter TS (or the test harness).',
      });
    return storage;
  }

  /** HTML for the end of `<head>` on every page of a user who activated the extension. */
  injectInBasejinjaHead?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** HTML for the start of `<body>`. */
  injectInBasejinjaBodyTop?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** HTML for the end of `<body>`. */
  injectInBasejinjaBodyBottom?(view: InjectionView): string | undefined | Promise<string | undefined>;
  /** After an interactive login, for each extension active for that user. */
  onUserLogin?(user: ExtensionUser): unknown;
  /** On shutdown, after the scheduler has stopped; release resources here. */
  stop?(): unknown;
}

// Declaration merging: every instance type-checks `ext.callback_<id>` and authors get the
// signatures when they implement them.
export interface Extension extends ExtensionCallbacks {}

/** @deprecated The seed's name; use {@link Extension}. */
export const Service = Extension;
/** @deprecated The seed's name; use {@link Extension}. */
export type Service = Extension;

/** A concrete Extension class as the loader sees it. */
export type ExtensionClass = (new (ctx: ExtensionContext) => Extension) & { manifest?: ExtensionManifestInput; readonly name: string };

/** True for a subclass of (any copy of) Extension, false for Extension itself. */
export function isExtensionClass(value: unknown): value is ExtensionClass {
  return (
    typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[EXTENSION_BRAND] === true && !Object.hasOwn(value, EXTENSION_BRAND)
  );
}
