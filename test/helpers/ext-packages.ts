import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './files.js';

/** A fixture package folder under test/fixtures/ext-packages/ or test/fixtures/extensions/. */
export async function fixturePackage(name: string): Promise<string> {
  const root = repoRoot();
  for (const dir of ['test/fixtures/ext-packages', 'test/fixtures/extensions']) {
    const p = path.join(root, dir, name);
    try {
      await fs.access(path.join(p, 'package.json'));
      return p;
    } catch {
      // next
    }
  }
  throw new Error(`no fixture package ${name}`);
}

/**
 * A temporary project folder with `node_modules/specter-ts` linked to this repository — what an
 * app that depends on Specter TS looks like — so copied extension packages resolve the public API.
 */
export async function tempProject(): Promise<{ dir: string; nodeModules: string; cleanup(): Promise<void> }> {
  const root = repoRoot();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-proj-'));
  const nodeModules = path.join(dir, 'node_modules');
  await fs.mkdir(nodeModules);
  await fs.symlink(root, path.join(nodeModules, 'specter-ts'), 'dir');
  return { dir, nodeModules, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Copies a fixture package to `dest` (e.g. into a temp node_modules, "installing" it). */
export async function copyPackage(name: string, dest: string): Promise<string> {
  await fs.cp(await fixturePackage(name), dest, { recursive: true });
  return dest;
}
