import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as core from '../../../../src/index.js';
import { isSpecterSpecifier } from '../../../../src/extensions/resolve-hook.js';
import { registerSpecterResolution } from '../../../../src/extensions/specter-resolution.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('the specter-ts resolve hook', () => {
  it('only claims "specter-ts" and its subpaths', () => {
    assert.ok(isSpecterSpecifier('specter-ts'));
    assert.ok(isSpecterSpecifier('specter-ts/testing'));
    assert.ok(!isSpecterSpecifier('specter-tsx'));
    assert.ok(!isSpecterSpecifier('@x/specter-ts'));
  });

  it('a module outside the core, with no node_modules at all, imports the running core (same module instance)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-hook-'));
    dirs.push(dir);
    await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'outside', type: 'module' }));
    await fs.writeFile(
      path.join(dir, 'probe.js'),
      "import { Extension } from 'specter-ts';\nimport * as testing from 'specter-ts/testing';\nexport { Extension, testing };\n",
    );
    // This test file itself was loaded from dist/, so the core's own module is core.Extension.
    registerSpecterResolution();
    const probe = (await import(pathToFileURL(path.join(dir, 'probe.js')).href)) as { Extension: unknown; testing: Record<string, unknown> };
    assert.equal(probe.Extension, core.Extension);
    assert.equal(typeof probe.testing.createTestSpecter, 'function');
    await fs.writeFile(path.join(dir, 'bad.js'), "import 'specter-ts/dist/src/version.js';\n");
    await assert.rejects(import(pathToFileURL(path.join(dir, 'bad.js')).href), /is not defined by "exports"/);
  });
});
