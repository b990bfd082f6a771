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

export interface TestSpecterOptions {
  /** Use this data folder instead of a fresh temporary one (it is then not deleted on close). */
  dataFolder?: string;
  /** Config class, default TestConfig. */
  configName?: string;
  /** Extra config values (EXTENSION_LIST, …). */
  config?: Record<string, unknown>;
  /** Capture log lines here (default: silent). */
  logLines?: string[];
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
  close(): Promise<void>;
}

/** Boots the real app on a temporary data folder: no network, no bitcoind. */
export async function createTestSpecter(options: TestSpecterOptions = {}): Promise<TestSpecter> {
  const dataFolder = options.dataFolder ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'specter-test-')));
  const { config, chain } = loadConfig(options.configName ?? 'TestConfig', {
    env: {},
    overrides: { SPECTER_DATA_FOLDER: dataFolder, ...options.config },
  });
  const lines = options.logLines;
  const logger = lines
    ? createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } })
    : createLogger({ level: 'silent' });
  const specter = await Specter.create({ config, configChain: chain, logger });
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
    async close() {
      await app.close();
      if (!options.dataFolder) await fs.rm(dataFolder, { recursive: true, force: true });
    },
  };
  return harness;
}
