import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { ExtensionRegistries } from './contributions.js';
import type { SourceTag } from './discovery.js';
import type { EndpointRegistry } from './endpoints.js';
import type { Extension } from './extension.js';
import type { TripInfo } from './health.js';
import type { ExtensionHost } from './host.js';
import type { Devstatus } from './manifest.js';
import type { InlineExtension } from './package-inspector.js';
import type { ExtensionStatus } from './resolver.js';

/** The ExtensionManager's options and the shapes it hands out (extension-manager.ts). */

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
  /** node_modules to scan for extension packages (and to resolve EXTENSION_LIST names). */
  nodeModulesDir?: string;
  /** Base for relative EXTENSION_LIST entries and the cwd source. Default process.cwd(). */
  cwd?: string;
  sources?: readonly SourceTag[];
  /** Extensions given as code (tests, createTestHost); loaded after the discovered ones. */
  inline?: readonly InlineExtension[];
  /** Ids switched off (config or admin) at start. Default: config.EXTENSIONS_DISABLED if it is an array. */
  disabled?: Iterable<string>;
  /** Persists the switched-off ids when an admin changes them (enable/disable); Specter writes config.json. */
  saveDisabled?: (ids: readonly string[]) => Promise<void>;
  /** The folder of plugins installed at runtime (`plugins.json`); default `<data>/plugins`; false: none. */
  pluginsFolder?: string | false;
  /** config.json `trusted_keys` (name → ed25519 public key) for plugin signatures. */
  trustedKeys?: Readonly<Record<string, string>>;
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

/** What changed in one load, reconcile, enable or disable; server and app root adapt to it. */
export interface ExtensionSetChange {
  /** Loaded by this change, in callback order. */
  added: readonly Extension[];
  /** Unloaded by this change (their routes, jobs and callbacks are gone already). */
  removed: readonly Extension[];
  /** False for the first load at start. */
  runtime: boolean;
}

export type ExtensionSetListener = (change: ExtensionSetChange) => unknown;
