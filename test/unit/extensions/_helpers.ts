import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TestConfig, type AppConfig } from '../../../src/config/index.js';
import { createLogger, type Logger } from '../../../src/log/index.js';

/** Repo root: this file runs from dist/test/unit/extensions/. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'extensions');
export const fixture = (name: string) => path.join(FIXTURES, name);
/** What a fixture package imports; generated packages import it by absolute file URL. */
export const CORE_URL = pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', 'extensions', 'index.js')).href;

export const APP_VERSION = '0.1.0';

export async function tempDir(prefix = 'specter-ext-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

/** A fresh TestConfig (extension config merges mutate it) with a temp data folder. */
export function makeConfig(dataFolder: string, overrides: Record<string, unknown> = {}): AppConfig {
  const config = new TestConfig() as AppConfig;
  config.SPECTER_DATA_FOLDER = dataFolder;
  Object.assign(config, overrides);
  return config;
}

export interface CapturedLogger {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  messages(): string[];
}

/** A real pino logger whose lines are kept for assertions. */
export function captureLogger(): CapturedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: { write: (msg: string) => destination.write(msg) } });
  return { logger, lines, messages: () => lines.map((l) => String(l.msg)) };
}

/** Writes an npm-package-shaped extension folder: package.json plus files. */
export async function writePackage(dir: string, packageJson: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** Links a fixture into a node_modules folder under `name` (scoped names allowed), as npm link does. */
export async function linkPackage(nodeModules: string, name: string, target: string): Promise<void> {
  const link = path.join(nodeModules, name);
  await fs.mkdir(path.dirname(link), { recursive: true });
  await fs.symlink(target, link, 'dir');
}
