import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { JsonFileStore } from '../persistence/index.js';

/**
 * Services the host hands to extensions (storage, wallets, users…). Deliberately open: the app
 * root adds typed members by declaration merging, e.g.
 *
 * ```ts
 * declare module '../extensions/host.js' {
 *   interface HostServices { storage: ExtensionStorage; wallets: WalletManager }
 * }
 * ```
 *
 * so the framework core does not depend on the managers it does not need.
 */
export interface HostServices {
  [name: string]: unknown;
}

/**
 * What an extension sees of the application (the `Specter` root implements it). Extensions reach
 * the app only through this object, never through module-level singletons.
 */
export interface ExtensionHost {
  readonly config: AppConfig;
  /** The app data folder (`SPECTER_DATA_FOLDER`), absolute. */
  readonly dataFolder: string;
  readonly logger: Logger;
  /** The running Specter TS version (checked against `engines`). */
  readonly version: string;
  /**
   * The app's atomic JSON file store (temp file, fsync, rename, per-file lock, `.bkp`). Extensions
   * that keep their own files in `dataFolder` should write through it.
   */
  readonly store: JsonFileStore;
  readonly services: HostServices;
}

/** A minimal host for tests and tools: config, data folder, logger, version, an empty services bag. */
export function createBasicHost(options: {
  config: AppConfig;
  dataFolder?: string;
  logger: Logger;
  version: string;
  services?: HostServices;
}): ExtensionHost {
  return {
    config: options.config,
    dataFolder: options.dataFolder ?? options.config.SPECTER_DATA_FOLDER,
    logger: options.logger,
    version: options.version,
    store: new JsonFileStore({ logger: options.logger }),
    services: options.services ?? ({} as HostServices),
  };
}
