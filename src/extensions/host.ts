import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { ChainView } from '../managers/chain/index.js';
import type { User } from '../managers/users/index.js';
import { JsonFileStore } from '../persistence/index.js';
import type { WalletsService } from './address-reservation.js';
import type { HttpRequestOptions, HttpResponse } from './context/types.js';
import type { ExtensionStorage } from './storage/index.js';

/** The outgoing HTTP the host offers (the app's one client: timeouts, size limits, Tor). */
export interface HostHttp {
  request(url: URL, options: HttpRequestOptions & { source: string }): Promise<HttpResponse>;
}

/**
 * What the framework needs of the application to build extension contexts. The `Specter` root
 * implements it; extensions never see it — each gets an {@link ExtensionContext} made from it,
 * scoped to the extension and checked against its capabilities.
 *
 * Every member is typed: there is no open services bag.
 */
export interface ExtensionHost {
  readonly config: AppConfig;
  /** The app data folder (`SPECTER_DATA_FOLDER`), absolute. */
  readonly dataFolder: string;
  readonly logger: Logger;
  /** The running Specter TS version (checked against `engines`). */
  readonly version: string;
  /** The app's atomic JSON file store (temp file, fsync, rename, per-file lock, `.bkp`). */
  readonly store: JsonFileStore;
  /** Absent in bare hosts (tools, unit tests): the matching context calls then say so. */
  readonly extensionPorts?: ExtensionPorts;
}

/** The application services behind the context facets. */
export interface ExtensionPorts {
  users(): readonly User[];
  user(id: string): User | undefined;
  /** Loaded, not switched off, and activated by the user. */
  isActiveFor(user: User, extId: string): boolean;
  storage: ExtensionStorage;
  /** A user's wallets, whatever the request context. */
  walletsOf(user: User): WalletsService;
  /** Chain data of a user's wallets. */
  chainOf(user: User): ChainView;
  http: HostHttp;
}

/** A minimal host for tests and tools: config, data folder, logger, version, no application services. */
export function createBasicHost(options: {
  config: AppConfig;
  dataFolder?: string;
  logger: Logger;
  version: string;
  ports?: ExtensionPorts;
}): ExtensionHost {
  return {
    config: options.config,
    dataFolder: options.dataFolder ?? options.config.SPECTER_DATA_FOLDER,
    logger: options.logger,
    version: options.version,
    store: new JsonFileStore({ logger: options.logger }),
    ...(options.ports && { extensionPorts: options.ports }),
  };
}
