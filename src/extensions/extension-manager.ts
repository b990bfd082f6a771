import path from 'node:path';
import { BaseConfig, configChain, type AppConfig, type ConfigClass } from '../config/index.js';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { currentUser } from '../managers/users/index.js';
import type { InspectSource } from './context/runtime-facets.js';
import type { Blueprint } from './blueprint.js';
import { CallbackRegistry } from './callbacks.js';
import type { ExtensionRegistries } from './contributions.js';
import { discoverExtensions, type SourceTag } from './discovery.js';
import { EndpointRegistry } from './endpoints.js';
import type { Extension } from './extension.js';
import { ExtensionHealth, type ExtensionErrorRecord, type TripInfo } from './health.js';
import { createBasicHost, type ExtensionHost } from './host.js';
import { loadExtension, type LoadedExtension } from './extension-loader.js';
import type { Devstatus } from './manifest.js';
import { errorMessage } from './module-loader.js';
import { inspectInline, inspectPackage, type Candidate, type InlineExtension } from './package-inspector.js';
import { resolveExtensions, type ExtensionStatus } from './resolver.js';
import { Scheduler } from './scheduler.js';
import { registerSpecterResolution } from './specter-resolution.js';
import { pluginsFolder } from './install/plugins-file.js';

export interface ExtensionManagerOptions {
  config: AppConfig;
  logger: Logger;
  /** The app's config chain, most specific first; default: derived from the config's class. */
  configChain?: readonly string[];
  /** The app root; default: a basic host from config, data folder, logger and appVersion. */
  host?: ExtensionHost;
  /** Running Specter TS version; default `host.version`. */
  appVersion?: string;
  /** Default `host.dataFolder`, else config.SPECTER_DATA_FOLDER. */
  dataFolder?: string;
  /** The built-in extensions folder. */
  builtinDir?: string;
  /** The plugins folder `specter ext install` manages; default `<dataFolder>/plugins`. */
  pluginsDir?: string;
  /** config.json `trusted_keys` (name → ed25519 public key) for plugin signatures. */
  trustedKeys?: Readonly<Record<string, string>>;
  /** node_modules to scan for extension packages (and to resolve EXTENSION_LIST names). */
  nodeModulesDir?: string;
  /** Base for relative EXTENSION_LIST entries and the cwd source. Default process.cwd(). */
  cwd?: string;
  sources?: readonly SourceTag[];
  /** Extensions given as code (tests, createTestHost); loaded after the discovered ones. */
  inline?: readonly InlineExtension[];
  /** Ids switched off (config or admin). Default: config.EXTENSIONS_DISABLED if it is an array. */
  disabled?: Iterable<string>;
  /** Shared with the core endpoints, so url_for sees both. Default: a new registry. */
  endpoints?: EndpointRegistry;
  /** Device and node type sinks. */
  registries?: ExtensionRegistries;
  /** Scheduler timers do not keep the process alive (default true). */
  unrefJobs?: boolean;
}

/** One row of `specter ext list` and `GET /api/v1/extensions`. */
export interface ExtensionStatusInfo {
  id: string | null;
  name: string;
  version: string | null;
  source: SourceTag;
  path: string;
  devstatus: Devstatus | null;
  status: ExtensionStatus;
  reason: string;
  /** Set when a loaded extension was switched off after repeated errors. */
  tripped: TripInfo | null;
  /** Callback and job errors counted so far. */
  errorCount: number;
  /** The trusted key's name that signed the package ("signed by …"); null: unsigned (built-ins are never signed). */
  signer: string | null;
}

interface Row {
  candidate: Candidate;
  status: ExtensionStatus;
  reason: string;
  loaded?: LoadedExtension;
  logged?: boolean;
}

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
  #rows: Row[] = [];
  #ordered: Extension[] = [];
  #loadedById = new Map<string, Row>();
  #state: 'new' | 'loading' | 'loaded' | 'stopped' = 'new';

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
    const threshold = this.config.SERVICES_DEVSTATUS_THRESHOLD;
    const configured = this.config.EXTENSIONS_DISABLED;
    const disabled = new Set(o.disabled ?? (Array.isArray(configured) ? (configured as string[]) : []));
    const discovered = await discoverExtensions({
      ...(o.builtinDir !== undefined && { builtinDir: o.builtinDir }),
      pluginsDir: o.pluginsDir ?? pluginsFolder(this.#dataFolder),
      ...(o.nodeModulesDir !== undefined && { nodeModulesDir: o.nodeModulesDir }),
      ...(o.sources !== undefined && { sources: o.sources }),
      extensionList: this.config.EXTENSION_LIST ?? [],
      cwd: o.cwd ?? process.cwd(),
      loadFromCwd: this.config.SERVICES_LOAD_FROM_CWD === true,
      logger: this.logger,
    });
    const gate = { appVersion: this.appVersion, threshold, disabled, trustedKeys: o.trustedKeys ?? {} };
    const candidates: Candidate[] = [];
    for (const pkg of discovered) candidates.push(await inspectPackage(pkg, gate));
    for (const inline of o.inline ?? []) candidates.push(inspectInline(inline));

    const resolved = resolveExtensions(candidates, { appVersion: this.appVersion, threshold, disabled });
    const rows = new Map<Candidate, Row>();
    for (const r of resolved.all) rows.set(r.candidate, { candidate: r.candidate, status: r.status, reason: r.reason });
    this.#rows = [...rows.values()];

    const env = {
      host: this.host,
      config: this.config,
      configChain: o.configChain ?? defaultChain(this.config),
      dataFolder: this.#dataFolder,
      logger: this.logger,
      callbacks: this.callbacks,
      endpoints: this.endpoints,
      registries: o.registries ?? {},
      scheduler: this.scheduler,
      inspect: this.#inspectSource(),
    };
    for (const r of resolved.order) {
      const row = rows.get(r.candidate)!;
      const m = r.candidate.manifest!;
      // A dependency that failed while loading takes its dependents down with it.
      const lost = m.depends.find((d) => !this.#loadedById.has(d.id));
      if (lost) {
        this.#mark(row, 'missing-dependency', `depends on "${lost.id}", which failed to load (see its status).`);
        continue;
      }
      try {
        row.loaded = await loadExtension(r.candidate, env);
        this.#loadedById.set(m.id, row);
        this.#ordered.push(row.loaded.instance);
        this.logger.info({ ext: m.id, source: r.candidate.source, version: m.version }, `extension "${m.id}" loaded`);
      } catch (err) {
        this.#mark(row, 'failed', errorMessage(err));
        this.logger.error({ ext: m.id, path: r.candidate.path, err }, `extension "${m.id}" not loaded (failed): ${row.reason}`);
        row.logged = true;
      }
    }
    for (const row of this.#rows) if (row.status !== 'loaded' && !row.logged) this.#logStatus(row);
    this.callbacks.setExtensions(this.#ordered);
    this.#state = 'loaded';
    await this.callbacks.execute('afterExtensionManagerInit');
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
    return this.callbacks.executeWith({ argsFor: (ext) => [{ scheduler: ext.ctx.scheduler }] }, 'after_serverpy_init_app');
  }

  /** What `ctx.inspect` reads (developer tools with the `extensions:inspect` capability): no paths, no manager. */
  #inspectSource(): InspectSource {
    const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
    return {
      extensions: () =>
        this.statuses()
          .filter((s) => s.id !== null)
          .map((s) => ({
            id: s.id!,
            name: s.name,
            version: s.version ?? '',
            source: s.source,
            devstatus: s.devstatus ?? '',
            status: s.status,
            reason: s.reason,
            tripped: s.tripped ? { at: s.tripped.at.toISOString(), reason: s.tripped.reason } : null,
            errorCount: s.errorCount,
            capabilities: this.get(s.id!)?.manifest.capabilities ?? [],
          })),
      errors: (extId) => this.health.errors(extId).map((r) => ({ at: r.at.toISOString(), where: r.where, message: r.message, stack: r.stack })),
      callbacks: () =>
        this.callbacks.list().map((c) => ({
          id: c.id,
          style: c.style,
          definedBy: c.definedBy,
          description: c.description,
          implementedBy: this.callbacks.handlersFor(c.id).map((e) => e.id),
        })),
      jobs: () =>
        this.scheduler.list().map((j) => ({
          id: j.id,
          extId: j.ext,
          schedule: j.schedule,
          running: j.running,
          nextRun: iso(j.nextRun),
          lastRun: iso(j.lastRun),
          lastError: j.lastError,
          runs: j.runs,
          failures: j.failures,
        })),
      activeForCurrentUser: () => {
        const user = currentUser();
        return user ? this.#ordered.filter((e) => user.hasService(e.id) && this.isActive(e.id)).map((e) => e.id) : [];
      },
    };
  }

  /** Stops the scheduler (waiting for running jobs), then each extension's `onStop()` and disposables, in reverse order. */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.scheduler.stop(options);
    for (const ext of [...this.#ordered].reverse()) {
      try {
        await ext.onStop?.();
        for (const dispose of [...(this.#loadedById.get(ext.id)?.loaded?.disposables ?? [])].reverse()) await dispose();
      } catch (err) {
        this.logger.error({ ext: ext.id, err }, `extension "${ext.id}" failed while stopping: ${errorMessage(err)}`);
      }
    }
  }
}
