import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { isSpecterError, type SpecterError } from '../../../src/errors/index.js';
import { createLogger } from '../../../src/log/index.js';
import { Specter } from '../../../src/specter/index.js';

export async function tempDir(prefix = 'specter-owner-'): Promise<string> {
  return realpath(await mkdtemp(path.join(tmpdir(), prefix)));
}

/** The real app root on `dataFolder` (no extensions: this is about the managers). */
export async function makeSpecter(dataFolder: string): Promise<Specter> {
  const emptyModules = path.join(dataFolder, '..', `${path.basename(dataFolder)}-modules`);
  await mkdir(emptyModules, { recursive: true });
  const { config, chain } = loadConfig('TestConfig', { env: {}, overrides: { SPECTER_DATA_FOLDER: dataFolder, LOAD_BUILTIN_EXTENSIONS: false } });
  return Specter.create({ config, configChain: chain, logger: createLogger({ level: 'silent' }), nodeModulesDir: emptyModules });
}

export async function removeAll(dataFolder: string): Promise<void> {
  await rm(dataFolder, { recursive: true, force: true });
  await rm(path.join(dataFolder, '..', `${path.basename(dataFolder)}-modules`), { recursive: true, force: true });
}

export async function rejectsWith(promise: Promise<unknown>, key: string, pattern?: RegExp): Promise<SpecterError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    assert.equal(err.key, key, err.message);
    if (pattern) assert.match(`${err.message} ${err.hint ?? ''}`, pattern);
    return true;
  });
  return caught as SpecterError;
}

export const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );
