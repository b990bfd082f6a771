import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { JsonFileStore } from '../persistence/index.js';
import { ConfigManager } from '../managers/config/index.js';
import { UserManager } from '../managers/users/index.js';
import { VERSION } from '../version.js';

export interface SpecterOptions {
  config: AppConfig;
  /** The config class chain, most specific first (for the extension config merge). */
  configChain: string[];
  logger: Logger;
}

/**
 * The app root: owns the configuration, the data folder, the managers and (later) the extension
 * manager. Routes reach it through the request (`request.specter`), never through a module global.
 */
export class Specter {
  readonly version = VERSION;
  readonly config: AppConfig;
  readonly configChain: string[];
  readonly dataFolder: string;
  readonly logger: Logger;
  readonly store: JsonFileStore;
  readonly configManager: ConfigManager;
  readonly userManager: UserManager;

  private constructor(options: SpecterOptions) {
    this.config = options.config;
    this.configChain = options.configChain;
    this.dataFolder = path.resolve(options.config.SPECTER_DATA_FOLDER);
    this.logger = options.logger;
    this.store = new JsonFileStore({ logger: this.logger });
    this.configManager = new ConfigManager(this.dataFolder, this.store);
    this.userManager = new UserManager(this.dataFolder, this.store, this.logger);
  }

  /** Creates the data folder (mode 0700: it holds wallets and secrets) and loads every manager. */
  static async create(options: SpecterOptions): Promise<Specter> {
    const specter = new Specter(options);
    await fs.mkdir(specter.dataFolder, { recursive: true, mode: 0o700 });
    await specter.configManager.load();
    await specter.userManager.load();
    return specter;
  }

  get authMethod() {
    return this.configManager.authMethod;
  }

  async close(): Promise<void> {
    // Nothing long-lived yet; the extension manager's scheduler will stop here.
  }
}
