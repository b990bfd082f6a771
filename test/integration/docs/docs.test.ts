/**
 * Every ```ts block of docs/extensions/*.md compiles against the public API (`specter-ts`), via
 * scripts/check-docs.mjs. A doc that shows code an author cannot compile is a bug.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

it('docs/extensions: every ts block compiles', { timeout: 120_000 }, () => {
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'check-docs.mjs')], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /ts blocks in \d+ files compile/);
});
