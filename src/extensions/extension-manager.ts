import path from 'node:path';
import { BaseConfig, configChain, type AppConfig, type ConfigClass } from '../config/index.js';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { inspectSourceOf } from './inspect-source.js';
import type { Blueprint } from './blueprint.js';
import { CallbackRegistry } from './callbacks.js';
import { discoverExtensions, type DiscoveredPackage } from './discovery.js';
import { Disposables, type Disposable } from './disposables.js';
import { ImportVersions } from './import-versions.js';
import { InflightRequests } from './inflight.js';
import { unloadRunning } from './unload.js';
import { PluginsWatcher } from './plugins-folder.js';
import { pluginsFolder } from './install/plugins-file.js';
import { EndpointRegistry } from './endpoints.js';
import type { Extension } from './extension.js';
import { ExtensionHealth, type ExtensionErrorRecord } from './health.js';
import { createBasicHost, type ExtensionHost } from './host.js';
import { loadExtension, type LoadedExtension, type LoaderEnv } from './extension-loader.js';
import { errorMessage } from './module-loader.js';
import { inspectInline, inspectPackage, type Candidate } from './package-inspector.js';
import { resolveExtensions, type ExtensionStatus } from './resolver.js';
import { Scheduler } from './scheduler.js';
import { registerSpecterResolution } from './specter-resolution.js';
import type { ExtensionManagerOptions, ExtensionSetChange, ExtensionSetListener, ExtensionStatusInfo } from './manager-types.js';

export type { ExtensionManagerOptions, ExtensionSetChange, ExtensionSetListener, ExtensionStatusInfo } from './manager-types.js';

interface Row {
  candidate: Candidate;
  status: ExtensionStatus;
  reason: string;
  loaded?: LoadedExtension;
  logged?: boolean;
}

const ADMIN_DISABLED_REASON = 'switched off by an admin; switch it on again under "Choose plugins".';

function defaultChain(config: AppConfig): string[] {
  const cls = (config as object).constructor;
  return cls && cls.prototype instanceof BaseConfig ? configChain(cls as ConfigClass) : ['BaseConfig'];
}

/**
 * Discovers, resolves and loads extensions, and owns what they share: the callback registry,
 * the scheduler, the endpoint registry and the health tracker. One broken extension never stops
 * the others: every problem ends as a status with a reason.
 */
export class ExtensionManager {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly host: ExtensionHost;
  readonly appVersion: string;
  readonly health: ExtensionHealth;
  readonly callbacks: CallbackRegistry;
  readonly scheduler: Scheduler;
  readonly endpoints: EndpointRegistry;
  readonly #options: ExtensionManagerOptions;
  readonly #dataFolder: string;
  /** Requests each extension is serving (the server counts them; an unload waits for them). */
  readonly inflight = new InflightRequests();
  /** What each extension registered to be released when it is unloaded (see {@link onDispose}). */
  readonly disposables = new Disposables();
  #rows: Row[] = [];
  #ordered: Extension[] = [];
  #loadedById = new Map<string, Row>();
  #state: 'new' | 'loading' | 'loaded' | 'stopped' = 'new';
  readonly #disabled: Set<string>;
  /** Ids an admin switched off (persisted), as opposed to the start configuration. */
  readonly #adminChanged = new Set<string>();
  #discovered: DiscoveredPackage[] = [];
  #inlineCandidates: Candidate[] = [];
  readonly #imports = new ImportVersions();
  #serverStarted = false;
  /** Life-cycle operations run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners: ExtensionSetListener[] = [];
  #watcher: PluginsWatcher | undefined;
  #env: LoaderEnv | undefined;

  constructor(options: ExtensionManagerOptions) {
    const version = options.appVersion ?? options.host?.version;
    if (!version)
      throw new SpecterError('INTERNAL', 'ExtensionManager needs appVersion or a host with a version.', { hint: 'Pass appVersion: VERSION.' });
    this.#options = options;
    this.config = options.config;
    this.logger = options.logger;
    this.appVersion = version;
    this.#dataFolder = path.resolve(options.dataFolder ?? options.host?.dataFolder ?? options.config.SPECTER_DATA_FOLDER);
    this.host = options.host ?? createBasicHost({ config: options.config, dataFolder: this.#dataFolder, logger: options.logger, version });
    this.health = new ExtensionHealth({ threshold: options.config.EXTENSION_ERROR_THRESHOLD, logger: options.logger });
    this.callbacks = new CallbackRegistry({
      health: this.health,
      logger: options.logger,
      timeoutMs: Number(options.config.EXTENSION_CALLBACK_TIMEOUT ?? 1_000),
    });
    this.scheduler = new Scheduler({ health: this.health, logger: options.logger, unref: options.unrefJobs ?? true });
    this.endpoints = options.endpoints ?? new EndpointRegistry();
    const configured = options.config.EXTENSIONS_DISABLED;
    this.#disabled = new Set(options.disabled ?? (Array.isArray(configured) ? (configured as string[]) : []));
  }

  /** `new ExtensionManager(options)` + `load()`. */
  static async create(options: ExtensionManagerOptions): Promise<ExtensionManager> {
    const manager = new ExtensionManager(options);
    await manager.load();
    return manager;
  }

  /** Discover → inspect → resolve → load in order → `afterExtensionManagerInit`. Never throws for an extension's fault. */
  async load(): Promise<void> {
    if (this.#state !== 'new') throw new SpecterError('INTERNAL', 'ExtensionManager.load() runs once.');
    this.#state = 'loading';
    // Before any extension code is imported: their `specter-ts` imports must reach this running core.
    registerSpecterResolution();
    const o = this.#options;
    this.#env = {
      host: this.host,
      config: this.config,
      configChain: o.configChain ?? defaultChain(this.config),
      dataFolder: this.#dataFolder,
      logger: this.logger,
      callbacks: this.callbacks,
      endpoints: this.endpoints,
      registries: o.registries ?? {},
      scheduler: this.scheduler,
      inspect: inspectSourceOf(this),
      disposables: this.disposables,
    };
    this.#inlineCandidates = (o.inline ?? []).map((inline) => inspectInline(inline));
    await this.#serial(async () => {
      this.#discovered = await this.#discover();
      await this.#apply(false);
    });
    this.#state = 'loaded';
    await this.callbacks.execute('afterExtensionManagerInit');
  }

  /** Every package the sources offer now, the plugins folder's list (plugins.json) among them. */
  async #discover(): Promise<DiscoveredPackage[]> {
    const o = this.#options;
    const folder = this.pluginsFolder;
    return discoverExtensions({
      ...(o.builtinDir !== undefined && { builtinDir: o.builtinDir }),
      ...(folder !== undefined && { pluginsDir: folder }),
      ...(o.nodeModulesDir !== undefined && { nodeModulesDir: o.nodeModulesDir }),
      ...(o.sources !== undefined && { sources: o.sources }),
      extensionList: this.config.EXTENSION_LIST ?? [],
      cwd: o.cwd ?? process.cwd(),
      loadFromCwd: this.config.SERVICES_LOAD_FROM_CWD === true,
      logger: this.logger,
    });
  }

  /** `<data>/plugins`, or undefined when runtime-installed plugins are off. */
  get pluginsFolder(): string | undefined {
    const o = this.#options.pluginsFolder;
    if (o === false) return undefined;
    return o ?? pluginsFolder(this.#dataFolder);
  }

  /**
   * Makes the running set match `#discovered` and the switched-off ids: inspects what is new or
   * changed (a changed package is imported under a new URL), resolves everything again (so
   * dependents follow their dependencies), unloads what is no longer in the set (newest first) and
   * loads what joined it, in dependency order. Extensions that did not change keep running.
   */
  async #apply(runtime: boolean): Promise<ExtensionSetChange> {
    const env = this.#env!;
    const threshold = this.config.SERVICES_DEVSTATUS_THRESHOLD;
    const gate = { appVersion: this.appVersion, threshold, disabled: this.#disabled, trustedKeys: this.#options.trustedKeys ?? {} };
    const loadedByPath = new Map<string, Row>();
    for (const row of this.#loadedById.values()) loadedByPath.set(row.candidate.path, row);
    const candidates: Candidate[] = [];
    for (const pkg of this.#discovered) {
      const current = loadedByPath.get(pkg.path);
      if (current && this.#imports.unchanged(pkg)) {
        candidates.push(current.candidate);
        continue;
      }
      const fresh = this.#imports.next(pkg);
      candidates.push(await inspectPackage(pkg, fresh ? { ...gate, fresh } : gate));
    }
    candidates.push(...this.#inlineCandidates);

    const resolved = resolveExtensions(candidates, { appVersion: this.appVersion, threshold, disabled: this.#disabled });
    const keep = new Set<Candidate>();
    for (const r of resolved.order) if (this.#loadedById.get(r.candidate.manifest!.id)?.candidate === r.candidate) keep.add(r.candidate);

    const removed: Extension[] = [];
    for (const ext of [...this.#ordered].reverse()) {
      const row = this.#loadedById.get(ext.id)!;
      if (keep.has(row.candidate)) continue;
      await this.#unloadRow(row);
      removed.push(ext);
    }

    const previous = new Map<Candidate, Row>();
    for (const row of this.#loadedById.values()) previous.set(row.candidate, row);
    const rows = new Map<Candidate, Row>();
    for (const r of resolved.all) {
      const reason =
        r.status === 'disabled' && this.#adminChanged.has(r.candidate.manifest?.id ?? r.candidate.id ?? '') ? ADMIN_DISABLED_REASON : r.reason;
      rows.set(r.candidate, previous.get(r.candidate) ?? { candidate: r.candidate, status: r.status, reason });
    }
    this.#rows = [...rows.values()];

    const ordered: Extension[] = [];
    const added: Extension[] = [];
    for (const r of resolved.order) {
      const row = rows.get(r.candidate)!;
      const m = r.candidate.manifest!;
      if (row.loaded) {
        ordered.push(row.loaded.instance);
        continue;
      }
      // A dependency that failed while loading takes its dependents down with it.
      const lost = m.depends.find((d) => !this.#loadedById.has(d.id));
      if (lost) {
        this.#mark(row, 'missing-dependency', `depends on "${lost.id}", which failed to load (see its status).`);
        continue;
      }
      try {
        row.loaded = await loadExtension(r.candidate, env);
        this.#loadedById.set(m.id, row);
        ordered.push(row.loaded.instance);
        added.push(row.loaded.instance);
        this.logger.info({ ext: m.id, source: r.candidate.source, version: m.version }, `extension "${m.id}" loaded`);
      } catch (err) {
        this.#mark(row, 'failed', errorMessage(err));
        this.logger.error({ ext: m.id, path: r.candidate.path, err }, `extension "${m.id}" not loaded (failed): ${row.reason}`);
        row.logged = true;
      }
    }
    for (const row of this.#rows) if (row.status !== 'loaded' && !row.logged) this.#logStatus(row);
    for (const row of this.#rows) row.logged = true;
    this.#ordered = ordered;
    this.callbacks.setExtensions(this.#ordered);

    const change: ExtensionSetChange = { added, removed, runtime };
    if (runtime && (added.length || removed.length)) {
      // The start-up steps, for the newcomers only: the same order as at start.
      const fresh = new Set<Extension>(added);
      const filter = (ext: Extension) => fresh.has(ext);
      if (added.length) await this.callbacks.executeWith({ filter }, 'afterExtensionManagerInit');
      for (const listener of this.#listeners) await listener(change);
      if (added.length && this.#serverStarted) {
        await this.callbacks.executeWith({ filter }, 'specter_added_to_flask_app');
        await this.callbacks.executeWith(
          { filter, argsFor: (ext) => [{ scheduler: this.scheduler.forExtension(ext.id) }] },
          'after_serverpy_init_app',
        );
      }
    } else if (!runtime) {
      for (const listener of this.#listeners) await listener(change);
    }
    return change;
  }

  async #unloadRow(row: Row): Promise<void> {
    const ext = row.loaded!.instance;
    this.#loadedById.delete(ext.id);
    this.#ordered = this.#ordered.filter((e) => e !== ext);
    this.callbacks.setExtensions(this.#ordered);
    await unloadRunning(row.loaded!, {
      env: this.#env!,
      inflight: this.inflight,
      scheduler: this.scheduler,
      disposables: this.disposables,
      health: this.health,
      timeoutMs: Number(this.config.EXTENSION_UNLOAD_TIMEOUT ?? 10_000),
    });
    delete row.loaded;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` when the set of loaded extensions changes (after the first load too). Returns an unsubscribe. */
  onChange(listener: ExtensionSetListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Change listeners subscribed: the toggle bench checks they do not pile up. */
  get listenerCount(): number {
    return this.#listeners.length;
  }

  /**
   * Re-runs discovery (the configured sources and the plugins folder's `plugins.json`) and makes
   * the running set match: new packages load, packages gone unload, packages whose package.json
   * changed (version, path contents) reload under a new module URL.
   */
  reconcile(): Promise<ExtensionSetChange> {
    return this.#serial(async () => {
      if (this.#state !== 'loaded') return { added: [], removed: [], runtime: true };
      this.#discovered = await this.#discover();
      return this.#apply(true);
    });
  }

  /** Switches an extension off for everyone and unloads it now; remembered (config.json) unless `persist: false`. */
  disable(id: string, options: { persist?: boolean } = {}): Promise<ExtensionSetChange> {
    return this.#switch(id, false, options.persist ?? true);
  }

  /** Switches an extension on again and loads it now (with the dependents it took down). */
  enable(id: string, options: { persist?: boolean } = {}): Promise<ExtensionSetChange> {
    return this.#switch(id, true, options.persist ?? true);
  }

  /** Unloads a loaded extension until {@link enable} or a restart, without remembering it. */
  unload(id: string): Promise<ExtensionSetChange> {
    if (!this.#loadedById.has(id))
      throw new SpecterError('EXT_NOT_FOUND', `No loaded extension "${id}".`, { hint: 'See "Choose plugins" for the ids.' });
    return this.#switch(id, false, false);
  }

  #switch(id: string, on: boolean, persist: boolean): Promise<ExtensionSetChange> {
    if (!this.#rows.some((r) => (r.candidate.manifest?.id ?? r.candidate.id) === id))
      throw new SpecterError('EXT_NOT_FOUND', `No extension "${id}" was found.`, { hint: 'See "Choose plugins" for the ids.' });
    return this.#serial(async () => {
      if (this.#state !== 'loaded') return { added: [], removed: [], runtime: true };
      if (on) this.#disabled.delete(id);
      else this.#disabled.add(id);
      this.#adminChanged.add(id);
      if (persist && this.#options.saveDisabled) await this.#options.saveDisabled([...this.#disabled].sort());
      return this.#apply(true);
    });
  }

  /** Whether an admin (or the configuration) switched the extension off. */
  isDisabled(id: string): boolean {
    return this.#disabled.has(id);
  }

  /**
   * Registers something to release when the extension is unloaded (disable, update, uninstall,
   * shutdown): runs after its `stop()`, newest first. Returns a function that unregisters it.
   */
  onDispose(extId: string, disposable: Disposable): () => void {
    return this.disposables.add(extId, disposable);
  }

  /**
   * Watches the plugins folder and reconciles when `plugins.json` changes (the server starts it
   * when it is ready; {@link stop} ends it).
   */
  async watchPluginsFolder(options: { debounceMs?: number } = {}): Promise<void> {
    const folder = this.pluginsFolder;
    if (!folder || this.#watcher || this.#state !== 'loaded') return;
    this.#watcher = new PluginsWatcher({
      folder,
      logger: this.logger,
      onChange: () => this.reconcile(),
      ...(options.debounceMs !== undefined && { debounceMs: options.debounceMs }),
    });
    try {
      await this.#watcher.start();
    } catch (err) {
      // A data folder that cannot hold the plugins folder must not stop the app: plugins installed
      // there then need a restart (or reconcile()) to load.
      this.logger.warn(
        { err, folder },
        `cannot watch the plugins folder ${folder}: ${errorMessage(err)}; plugins installed there load at the next start`,
      );
    }
  }

  #mark(row: Row, status: ExtensionStatus, reason: string): void {
    row.status = status;
    row.reason = reason;
  }

  #logStatus(row: Row): void {
    const id = row.candidate.id ?? row.candidate.displayName;
    const level = row.status === 'disabled' || row.status === 'below-devstatus' ? 'info' : 'warn';
    this.logger[level](
      { ext: row.candidate.id, path: row.candidate.path, status: row.status },
      `extension "${id}" not loaded (${row.status}): ${row.reason}`,
    );
  }

  /** Loaded extensions in callback order (dependencies first, then sortPriority). */
  get extensions(): readonly Extension[] {
    return this.#ordered;
  }

  get(id: string): Extension | undefined {
    return this.#loadedById.get(id)?.loaded?.instance;
  }

  /** Loaded and not switched off by the error threshold. */
  isActive(id: string): boolean {
    return this.#loadedById.has(id) && !this.health.isTripped(id);
  }

  /** Every blueprint to mount, in load order (each extension's default one first). */
  blueprints(): Blueprint[] {
    return this.#ordered.flatMap((ext) => this.#loadedById.get(ext.id)!.loaded!.blueprints);
  }

  blueprintsOf(id: string): readonly Blueprint[] {
    return this.#loadedById.get(id)?.loaded?.blueprints ?? [];
  }

  /** Existing template folders of loaded extensions, for the nunjucks search path. */
  templateFolders(): string[] {
    const dirs = this.blueprints()
      .map((bp) => bp.templateFolder)
      .filter((d): d is string => !!d);
    return [...new Set(dirs)];
  }

  /** Device or node types an extension contributed. */
  contributions(id: string): { devices: readonly unknown[]; nodes: readonly unknown[] } {
    const loaded = this.#loadedById.get(id)?.loaded;
    return { devices: loaded?.devices ?? [], nodes: loaded?.nodes ?? [] };
  }

  statuses(): ExtensionStatusInfo[] {
    return this.#rows.map(({ candidate: c, status, reason }) => ({
      id: c.manifest?.id ?? c.id ?? null,
      name: c.manifest?.name ?? c.displayName,
      version: c.manifest?.version ?? c.version ?? null,
      source: c.source,
      path: c.path,
      devstatus: c.manifest?.devstatus ?? c.devstatus ?? null,
      status,
      reason,
      tripped: (status === 'loaded' && c.manifest && this.health.tripInfo(c.manifest.id)) || null,
      errorCount: c.manifest ? this.health.totalFailures(c.manifest.id) : 0,
      signer: c.signer ?? null,
    }));
  }

  /** The last caught errors of an extension (devhelp page). */
  errors(id: string): readonly ExtensionErrorRecord[] {
    return this.health.errors(id);
  }

  /** Restores an extension switched off by the error threshold. */
  reenable(id: string): boolean {
    if (!this.#loadedById.has(id))
      throw new SpecterError('EXT_NOT_FOUND', `No loaded extension "${id}".`, { hint: 'See the extensions page for the ids.' });
    return this.health.reenable(id);
  }

  /**
   * Fires `after_serverpy_init_app` with `{scheduler}` scoped to each extension (job ids become
   * `<extId>:<id>`). The server calls this as its last start-up step.
   */
  afterServerInit(): Promise<unknown> {
    this.#serverStarted = true;
    return this.callbacks.executeWith({ argsFor: (ext) => [{ scheduler: ext.ctx.scheduler }] }, 'after_serverpy_init_app');
  }

  /** Stops the scheduler (waiting for running jobs), then each extension's `onStop()` and disposables, in reverse order. */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.#watcher?.close();
    // A reconcile in progress finishes first: no extension is half loaded at shutdown.
    await this.#queue;
    await this.scheduler.stop(options);
    for (const ext of [...this.#ordered].reverse()) {
      try {
        await ext.onStop?.();
      } catch (err) {
        this.logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed while stopping: ${errorMessage(err)}`);
      }
      await this.disposables.dispose(ext.id, { timeoutMs: Number(this.config.EXTENSION_UNLOAD_TIMEOUT ?? 10_000), logger: this.logger });
    }
  }
}
