import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { JsonFileStore, type PersistEvent } from '../persistence/index.js';
import { ConfigManager } from '../managers/config/index.js';
import { ApiTokenManager, UserManager, runAsUser, type User } from '../managers/users/index.js';
import { pluginRequest } from './plugin-http.js';
import { EndpointRegistry, ExtensionManager, type ExtensionHost, type ExtensionPorts } from '../extensions/index.js';
import { ExtensionStorage } from '../extensions/storage/index.js';
import { DeviceManager, DeviceTypeRegistry } from '../managers/devices/index.js';
import { WalletManager } from '../managers/wallets/index.js';
import { NodeManager, NodeTypeRegistry } from '../managers/nodes/index.js';
import { ChainService, chainView, type ChainView, type WalletSyncedEvent } from '../managers/chain/index.js';
import { FeeSource, PsbtService, type PsbtCreatedEvent, type TransactionBroadcastEvent } from '../managers/psbt/index.js';
import type { HostHttpClient, HostHttpClientOptions } from '../net/index.js';
import { PriceService } from '../managers/price/index.js';
import { TorService } from '../tor/index.js';
import { deviceTypeSink, nodeTypeSink } from './type-sinks.js';
import { VERSION, PACKAGE_ROOT } from '../version.js';
import { ActivationService } from './activation-service.js';
import { currentUserView, UserDataManagers } from './user-data.js';
import { assertAuthFailsClosed } from './auth-guard.js';

export interface SpecterOptions {
  config: AppConfig;
  /** The config class chain, most specific first (for the extension config merge). */
  configChain: string[];
  logger: Logger;
  /** Where installed extension packages are looked for; default: the node_modules Specter TS lives in. */
  nodeModulesDir?: string;
  /** The built-in extensions folder; default `<package>/extensions`. */
  builtinDir?: string;
  /** Base for relative EXTENSION_LIST entries and the DevelopmentConfig cwd source; default process.cwd(). */
  cwd?: string;
  /** The clock of the user-secret vault's timeouts (milliseconds); tests move it instead of waiting. */
  now?: () => number;
}

/** The application services the server's routes use (extensions get a scoped context instead). */
export interface SpecterServices {
  users: UserManager;
  activation: ActivationService;
  /** Per-user extension data (encrypted / unencrypted) and its life cycle. */
  storage: ExtensionStorage;
  /** The extension manager: statuses, callbacks, scheduler (devhelp-style tools read it). */
  extensions: ExtensionManager;
  /** The current user's devices (resolved per access, see user-data.ts). */
  devices: DeviceManager;
  /** The current user's wallets (resolved per access, see user-data.ts). */
  wallets: WalletManager;
  /** Read-only chain data (balance, transactions, UTXOs) of the current user's wallets. */
  chain: ChainView;
}

/** The node_modules folder that holds Specter TS's neighbours (its own when run from a clone). */
function defaultNodeModules(): string {
  const parent = path.dirname(PACKAGE_ROOT);
  if (path.basename(parent) === 'node_modules') return parent;
  if (path.basename(path.dirname(parent)) === 'node_modules') return path.dirname(parent); // scoped
  return path.join(PACKAGE_ROOT, 'node_modules');
}

/**
 * The app root: owns the configuration, the data folder, the managers and the extension manager.
 * It is the `ExtensionHost` extensions see. Routes reach it through the request
 * (`request.specter`), never through a module global.
 */
export class Specter implements ExtensionHost {
  readonly version = VERSION;
  readonly config: AppConfig;
  readonly configChain: string[];
  readonly dataFolder: string;
  readonly logger: Logger;
  readonly store: JsonFileStore;
  readonly configManager: ConfigManager;
  readonly userManager: UserManager;
  /** Device types (built-in and from extensions), shared by every user's device manager. */
  readonly deviceTypes = new DeviceTypeRegistry();
  /**
   * The devices of the request's current user (the admin's outside any request), resolved on
   * every access: like Specter's `current_user.device_manager`. For a named user: devicesOf().
   */
  /** API tokens (`api_tokens.json`): per user, named, scoped, stored as hashes. */
  readonly apiTokens: ApiTokenManager;
  readonly deviceManager: DeviceManager;
  /** The wallets of the request's current user (the admin's outside any request); see deviceManager. */
  readonly walletManager: WalletManager;
  readonly #userData: UserDataManagers;
  /** Node types (built-in and from extensions' `nodes`). */
  readonly nodeTypes = new NodeTypeRegistry();
  /** Bitcoin Core nodes (`<data>/nodes/`), the active one and its status; polling starts with startPolling(). */
  readonly nodeManager: NodeManager;
  /** Chain data of wallets (sync, balances, history, UTXOs) on the active node; started with the app. */
  readonly chain: ChainService;
  /** The send flow: PSBTs created on the node, pending with their coins locked, signed, broadcast. */
  readonly psbts: PsbtService;
  /** Tor settings, the built-in or custom daemon, routing of outgoing connections, the onion service. */
  readonly tor: TorService;
  /** The fee source setting (Core, mempool.space or a custom server), used by psbts.fees(). */
  readonly feeSource: FeeSource;
  /** The fiat price: the selected provider (from plugins' price_providers) fetched on a schedule, the last good rate. */
  readonly prices: PriceService;
  /** url_for's table, shared by core routes and extension blueprints. */
  readonly endpoints = new EndpointRegistry();
  readonly services: SpecterServices;
  /** What extension contexts are built from (see src/extensions/context/). */
  readonly extensionPorts: ExtensionPorts;
  extensionManager!: ExtensionManager;

  private constructor(options: SpecterOptions) {
    this.config = options.config;
    this.configChain = options.configChain;
    this.dataFolder = path.resolve(options.config.SPECTER_DATA_FOLDER);
    this.logger = options.logger;
    this.store = new JsonFileStore({ logger: this.logger, onPersist: (e) => this.firePersistence(e) });
    this.configManager = new ConfigManager(this.dataFolder, this.store);
    this.userManager = new UserManager(this.dataFolder, this.store, this.logger, {
      idleTimeoutMs: Number(options.config.USER_SECRET_IDLE_TIMEOUT) * 1000,
      maxAgeMs: Number(options.config.SESSION_MAX_AGE) * 1000,
      ...(options.now && { now: options.now }),
    });
    this.apiTokens = new ApiTokenManager(this.dataFolder, this.store, (id) => this.userManager.get(id));
    const userData = new UserDataManagers(this.dataFolder, this.store, this.deviceTypes, this.userManager);
    this.#userData = userData;
    this.deviceManager = currentUserView(() => userData.devicesOf(userData.currentUser()), DeviceManager.prototype);
    this.walletManager = currentUserView(() => userData.walletsOf(userData.currentUser()), WalletManager.prototype);
    this.tor = new TorService({
      dataFolder: this.dataFolder,
      config: this.configManager,
      logger: this.logger,
      authMethod: () => this.authMethod,
      // A cached RPC client holds its agent: rebuild it when the route (Tor port, only_tor) changes.
      onRouteChange: () => this.nodeManager.invalidateClient(),
      offline: Boolean(options.config.TOR_OFFLINE),
    });
    this.nodeManager = new NodeManager(this.dataFolder, this.store, this.configManager, {
      logger: this.logger,
      types: this.nodeTypes,
      agentFor: (host) => this.tor.agentFor(host),
      pollIntervalMs: Math.max(0.05, Number(options.config.NODE_POLL_INTERVAL)) * 1000,
    });
    this.chain = new ChainService({
      nodes: this.nodeManager,
      walletsOf: (user) => this.walletsOf(user),
      users: () => this.userManager.list(),
      store: this.store,
      logger: this.logger,
      onSynced: (event) => this.fireWalletSynced(event),
      // The send flow's pending PSBTs keep coins locked on Core (the service is made just below).
      hooks: {
        linked: (wallet) => this.psbts.chainHooks.linked!(wallet),
        afterSync: (wallet) => this.psbts.chainHooks.afterSync!(wallet),
      },
    });
    this.feeSource = new FeeSource({
      http: this.tor.httpClient('fee source'),
      settings: () => ({ estimator: this.configManager.values.fee_estimator, customUrl: this.configManager.values.fee_estimator_custom_url }),
      proxy: () => this.tor.proxySettings(),
      core: () => this.psbts.coreFees(),
      logger: this.logger,
    });
    this.psbts = new PsbtService({
      feeSource: this.feeSource,
      onPsbtCreated: (event) => this.fireForWalletOwner(event.user, 'psbt_created', event),
      onBroadcast: (event) => this.fireForWalletOwner(event.user, 'transaction_broadcast', event),
      chain: this.chain,
      nodes: this.nodeManager,
      store: this.store,
      walletsOf: (user) => this.walletsOf(user),
      logger: this.logger,
    });
    this.prices = new PriceService({
      settings: () => {
        const v = this.configManager.values;
        return { enabled: v.price_check, provider: v.price_provider, currency: v.price_currency, manualRate: v.alt_rate };
      },
      providers: async () => (this.extensionManager ? this.extensionManager.callbacks.collect('price_providers') : {}),
      dataFolder: this.dataFolder,
      store: this.store,
      logger: this.logger,
      intervalMs: Number(options.config.PRICE_CHECK_INTERVAL) * 1000,
      timeoutMs: Number(options.config.PRICE_FETCH_TIMEOUT),
      ...(options.now && { now: options.now }),
    });
    this.services = {
      users: this.userManager,
      activation: new ActivationService(this),
      devices: this.deviceManager,
      wallets: this.walletManager,
      chain: chainView(this.chain, () => this.#userData.currentUser()),
      storage: new ExtensionStorage({
        dataFolder: this.dataFolder,
        store: this.store,
        users: this.userManager,
        authMethod: () => this.authMethod,
        logger: this.logger,
      }),
    } as SpecterServices;
    this.extensionPorts = {
      users: () => this.userManager.list(),
      user: (id) => this.userManager.get(id),
      isActiveFor: (user, extId) => this.services.activation.isActiveFor(user, extId),
      storage: this.services.storage,
      walletsOf: (user) => this.walletsOf(user),
      chainOf: (user) => chainView(this.chain, () => user),
      http: { request: (url, options) => pluginRequest(this.httpClient(options.source), url, options) },
    };
  }

  /** Creates the data folder (mode 0700: it holds wallets and secrets), loads managers, then extensions. */
  static async create(options: SpecterOptions): Promise<Specter> {
    const specter = new Specter(options);
    await fs.mkdir(specter.dataFolder, { recursive: true, mode: 0o700 });
    await specter.configManager.load();
    // Users from before (a Specter data folder, an older Specter TS) get their extension data
    // files copied from Specter's names into their folders before their creation ids are saved —
    // unless the start is refused: an unset or stale "none" must not open a protected app, and a
    // refused start writes nothing.
    await specter.userManager.load({
      beforePersist: async (legacy) => {
        await assertAuthFailsClosed(specter.configManager, specter.userManager);
        await specter.services.storage.migrateLegacyFiles(
          legacy,
          specter.userManager.list().map((u) => u.username),
        );
      },
    });
    await assertAuthFailsClosed(specter.configManager, specter.userManager);
    await specter.configManager.persistLoaded();
    specter.userManager.onDelete(async (user) => {
      await specter.deleteUserData(user);
    });
    await specter.apiTokens.load();
    // Tokens of users deleted while a removal was interrupted must not work for a re-created name.
    await specter.apiTokens.pruneUsers(new Set(specter.userManager.list().map((u) => u.id)));
    specter.extensionManager = await ExtensionManager.create({
      config: specter.config,
      logger: specter.logger,
      configChain: specter.configChain,
      host: specter,
      appVersion: specter.version,
      dataFolder: specter.dataFolder,
      ...(specter.config.LOAD_BUILTIN_EXTENSIONS ? { builtinDir: options.builtinDir ?? path.join(PACKAGE_ROOT, 'extensions') } : {}),
      nodeModulesDir: options.nodeModulesDir ?? defaultNodeModules(),
      trustedKeys: specter.configManager.values.trusted_keys,
      // What an admin switched off is in config.json; before any change, the config's EXTENSIONS_DISABLED.
      disabled: specter.configManager.values.extensions_disabled ?? specter.config.EXTENSIONS_DISABLED,
      saveDisabled: (ids) => specter.configManager.update({ extensions_disabled: [...ids] }),
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      endpoints: specter.endpoints,
      registries: { devices: deviceTypeSink(specter.deviceTypes, specter.endpoints), nodes: nodeTypeSink(specter.nodeTypes) },
    });
    specter.services.extensions = specter.extensionManager;
    await specter.services.activation.applyOptionalityToAllUsers();
    // A plugin loaded at runtime gets the start's per-user rule too (mandatory and opt_out ones on).
    specter.extensionManager.onChange(async (change) => {
      if (change.added.length) await specter.services.activation.applyOptionalityToAllUsers();
    });
    specter.chain.start();
    // The price schedule needs the plugins' providers: after the extensions loaded.
    await specter.prices.load();
    specter.prices.start();
    return specter;
  }

  /** A user's wallets (cached per user; admins share theirs), whatever the request context. */
  walletsOf(user: Pick<User, 'id'>): WalletManager {
    return this.#userData.walletsOf(user);
  }

  /** A user's devices (cached per user; admins share theirs), whatever the request context. */
  devicesOf(user: Pick<User, 'id'>): DeviceManager {
    return this.#userData.devicesOf(user);
  }

  /**
   * Removes everything a deleted user owns: wallets and devices (their folders, as Specter does)
   * and extension data. Runs before the user record goes (UserManager.deleteUser calls it), so a
   * failure leaves the user in place to try again. Resolves to the paths removed.
   */
  async deleteUserData(user: User): Promise<string[]> {
    const removed = await this.#userData.deleteUserData(user);
    removed.push(...(await this.services.storage.deleteUserFiles(user)));
    this.logger.info({ user: user.id, removed }, 'data of a deleted user removed');
    return removed;
  }

  /**
   * The host HTTP client for one caller (a plugin id, a price source): every outgoing request goes
   * through one, so Tor settings, time and size limits apply. `allowedHosts` limits it to those hosts.
   */
  httpClient(name: string, options: Omit<HostHttpClientOptions, 'name' | 'proxy' | 'logger'> = {}): HostHttpClient {
    return this.tor.httpClient(name, options);
  }

  get authMethod() {
    return this.configManager.authMethod;
  }

  /** The seed's `specter_persistence_callback`: extensions hear of every data-file write/delete. */
  private async firePersistence(event: PersistEvent): Promise<void> {
    await this.extensionManager?.callbacks.execute('specter_persistence_callback', { path: event.path, mode: event.mode });
  }

  /** `wallet_synced` for the extensions the wallet's user activated. */
  private async fireWalletSynced(event: WalletSyncedEvent): Promise<void> {
    await this.fireForWalletOwner(event.user, 'wallet_synced', event);
  }

  /** A wallet's event, for the extensions its owner activated only (others never see the user's wallets). */
  private async fireForWalletOwner(
    userId: string,
    id: 'wallet_synced' | 'psbt_created' | 'transaction_broadcast',
    event: WalletSyncedEvent | PsbtCreatedEvent | TransactionBroadcastEvent,
  ): Promise<void> {
    const user = this.userManager.get(userId);
    if (!user || !this.extensionManager) return;
    // As the owner: the extensions' context calls (wallets, storage) act for that user.
    await runAsUser(user, () => this.extensionManager.callbacks.executeWith({ filter: (ext) => user.hasService(ext.id) }, id, event));
  }

  async close(): Promise<void> {
    await this.chain.stop();
    this.nodeManager.stop();
    await this.prices.stop();
    await this.extensionManager?.stop();
    // Last: the onion service goes, and the built-in tor process with it.
    await this.tor.stop();
  }
}
