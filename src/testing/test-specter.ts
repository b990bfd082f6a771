import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { Specter } from '../specter/index.js';
import { buildApp } from '../server/app.js';
import { applyAuthSwitch } from '../specter/index.js';
import type { AuthMethod } from '../managers/config/index.js';
import { TestClient } from './test-client.js';
import type { ExtensionStatusInfo, UserInfo } from '../extensions/index.js';
import type { Wallet } from '../managers/wallets/index.js';

export interface TestSpecterOptions {
  /** Use this data folder instead of a fresh temporary one (it is then not deleted on close). */
  dataFolder?: string;
  /** Config class, default TestConfig. */
  configName?: string;
  /** Extra config values (EXTENSION_LIST, …). */
  config?: Record<string, unknown>;
  /** Capture log lines here (default: silent). */
  logLines?: string[];
  /** Extension package folders or package names to load (added to EXTENSION_LIST). */
  extensions?: string[];
  /** Where installed extension packages are scanned for (default: the one Specter TS lives in). */
  nodeModulesDir?: string;
  /** The built-in extensions folder (default: Specter TS's own `extensions/`). */
  builtinDir?: string;
  /** The working directory the app sees (the DevelopmentConfig cwd source; relative EXTENSION_LIST entries). */
  cwd?: string;
  /** A clock (milliseconds) for the user-secret vault's idle and session timeouts, so tests need not wait. */
  now?: () => number;
}

export interface TestSpecter {
  app: FastifyInstance;
  specter: Specter;
  dataFolder: string;
  /** A new browser-like client with its own cookie jar. */
  client(): TestClient;
  /** Switches auth and sets the admin password (from "none"). */
  setAuth(method: AuthMethod, adminPassword?: string): Promise<void>;
  /** A client logged in through the real login form. */
  login(password: string, username?: string): Promise<TestClient>;
  /**
   * Adds a user (as the admin's Settings → Users does; switch auth to `usernamepassword` first so
   * they can log in with `login(password, username)`). Resolves to what a plugin sees of them.
   */
  addUser(username: string, password: string, options?: { admin?: boolean }): Promise<UserInfo>;
  /** Activates (or deactivates) an extension for a user, as "Choose plugins" does. */
  activate(userId: string, extId: string, active?: boolean): Promise<void>;
  /** Creates a wallet from an output descriptor (e.g. one of `TEST_DESCRIPTORS`). */
  createWallet(name: string, descriptor: string): Promise<Wallet>;
  /** Runs a scheduler job now (`<extId>:<jobId>`), waiting for it to finish. */
  runJob(jobId: string): Promise<unknown>;
  /** Every discovered extension with status and reason. */
  statuses(): ExtensionStatusInfo[];
  close(): Promise<void>;
}

/** Boots the real app on a temporary data folder: no network, no bitcoind. */
export async function createTestSpecter(options: TestSpecterOptions = {}): Promise<TestSpecter> {
  const dataFolder = options.dataFolder ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'specter-test-')));
  const { config, chain } = loadConfig(options.configName ?? 'TestConfig', {
    env: {},
    overrides: { SPECTER_DATA_FOLDER: dataFolder, ...options.config },
  });
  if (options.extensions?.length) config.EXTENSION_LIST = [...config.EXTENSION_LIST, ...options.extensions];
  const lines = options.logLines;
  const logger = lines
    ? createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } })
    : createLogger({ level: 'silent' });
  const specter = await Specter.create({
    config,
    configChain: chain,
    logger,
    ...(options.nodeModulesDir !== undefined && { nodeModulesDir: options.nodeModulesDir }),
    ...(options.builtinDir !== undefined && { builtinDir: options.builtinDir }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.now !== undefined && { now: options.now }),
  });
  const app = await buildApp(specter);
  await app.ready();
  const harness: TestSpecter = {
    app,
    specter,
    dataFolder,
    client: () => new TestClient(app),
    setAuth: (method, adminPassword) => applyAuthSwitch(specter, method, adminPassword === undefined ? {} : { adminPassword }),
    async login(password, username) {
      const client = new TestClient(app);
      await client.get('/spc/auth/login');
      const form: Record<string, string> = { password };
      if (username !== undefined) form.username = username;
      const res = await client.post('/spc/auth/login', form);
      if (res.statusCode !== 302) throw new Error(`login failed with ${res.statusCode}`);
      return client;
    },
    async addUser(username, password, { admin = false } = {}) {
      const user = await specter.userManager.addUser(username, password, admin);
      await specter.services.activation.applyOptionalityToAllUsers();
      return { id: user.id, name: user.username, isAdmin: user.isAdmin };
    },
    async activate(userId, extId, active = true) {
      await specter.services.activation.setActive(specter.userManager.require(userId), extId, active);
    },
    createWallet: (name, descriptor) => specter.walletManager.importDescriptor(descriptor, { name }),
    runJob: (jobId) => specter.extensionManager.scheduler.runNow(jobId),
    statuses: () => specter.extensionManager.statuses(),
    async close() {
      await app.close();
      if (!options.dataFolder) await fs.rm(dataFolder, { recursive: true, force: true });
    },
  };
  return harness;
}
