import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverExtensions } from '../../../../src/extensions/discovery.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import {
  checkSpec,
  isLocalSpec,
  npmFailure,
  pluginRecordSchema,
  readPluginsFile,
  registryName,
  type PluginRecord,
} from '../../../../src/extensions/install/index.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const record = (over: Partial<PluginRecord> = {}): PluginRecord => ({
  id: 'duck',
  packageName: '@me/specterext-duck',
  version: '1.0.0',
  spec: '@me/specterext-duck',
  integrity: null,
  files: {},
  installedAt: '2026-01-01T00:00:00.000Z',
  signer: null,
  signerKey: null,
  ...over,
});

describe('plugin installer parts', () => {
  it('tells local tarballs and folders from registry specs, and finds the package name', () => {
    for (const local of ['./x.tgz', '../x', '/abs/x', 'x-1.0.0.tgz', 'file:../x', 'C:\\x']) assert.ok(isLocalSpec(local), local);
    for (const reg of ['specterext-x', '@org/specterext-x', 'specterext-x@^1.2.0', '@org/x@latest']) assert.ok(!isLocalSpec(reg), reg);
    assert.equal(registryName('specterext-x@^1.2.0'), 'specterext-x');
    assert.equal(registryName('@org/x@latest'), '@org/x');
    assert.equal(registryName('@org/x'), '@org/x');
  });

  it('refuses specs npm would read as flags, git or URL specs, before npm runs', () => {
    for (const ok of ['specterext-x', '@org/specterext-x@^1.2.0', 'x@latest', 'x@1.2.3', './x.tgz', '/abs/folder']) checkSpec(ok);
    for (const bad of ['--registry=http://evil', '-g', '', 'github:me/x', 'https://x.org/x.tgz'.replace('.tgz', ''), 'x@', 'UPPER', 'x@1 2']) {
      assert.throws(
        () => checkSpec(bad),
        (e: unknown) => isSpecterError(e) && e.code === 'SPECTER_ERR_VALIDATION',
        bad,
      );
    }
  });

  it('a plugins.json record cannot name a path outside the plugins folder', () => {
    assert.ok(pluginRecordSchema.safeParse(record()).success);
    assert.ok(!pluginRecordSchema.safeParse(record({ packageName: '../../etc' })).success);
    assert.ok(!pluginRecordSchema.safeParse(record({ id: '../x' })).success);
  });

  it("maps npm's failures to catalogue errors", () => {
    const code = (stderr: string, timedOut = false) => npmFailure(['install', 'x'], stderr, timedOut, 60_000).code;
    assert.equal(code('npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED'), 'SPECTER_ERR_EXT_REGISTRY_UNREACHABLE');
    assert.equal(code('npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org/x failed'), 'SPECTER_ERR_EXT_REGISTRY_UNREACHABLE');
    assert.equal(code('npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/x'), 'SPECTER_ERR_EXT_PACKAGE_NOT_FOUND');
    assert.equal(code('npm error code ETARGET\nnpm error notarget No matching version'), 'SPECTER_ERR_EXT_PACKAGE_NOT_FOUND');
    assert.equal(code('', true), 'SPECTER_ERR_EXT_INSTALL_FAILED');
    const other = npmFailure(
      ['install', 'x'],
      'npm error code EINTEGRITY\nnpm error sha512 mismatch\nnpm error A complete log of this run can be found in: /x',
      false,
      1,
    );
    assert.equal(other.code, 'SPECTER_ERR_EXT_INSTALL_FAILED');
    assert.match(other.message, /EINTEGRITY \| sha512 mismatch$/);
  });

  it('discovery lists recorded plugins (source "plugins", after the built-ins) and reports a missing folder or a bad plugins.json', async () => {
    const data = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-pl-'));
    dirs.push(data);
    const pluginsDir = path.join(data, 'plugins');
    const pkgDir = path.join(pluginsDir, 'node_modules', '@me', 'specterext-duck');
    await fs.mkdir(pkgDir, { recursive: true });
    await fs.writeFile(path.join(pkgDir, 'package.json'), JSON.stringify({ name: '@me/specterext-duck', specterExtension: { id: 'duck' } }));
    const gone = record({ id: 'gone', packageName: 'specterext-gone', spec: '/x/gone.tgz' });
    await fs.writeFile(path.join(pluginsDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [record(), gone] }));
    assert.equal((await readPluginsFile(pluginsDir)).plugins.length, 2);

    const found = await discoverExtensions({ pluginsDir, loadFromCwd: false, cwd: data });
    assert.deepEqual(
      found.map((p) => [p.source, p.origin, p.installRecord?.id, !!p.error]),
      [
        ['plugins', '@me/specterext-duck', 'duck', false],
        ['plugins', '/x/gone.tgz', 'gone', true],
      ],
    );
    assert.equal(found[0]!.path, pkgDir);
    assert.match(found[1]!.error!, /installed plugin "gone" \(specterext-gone\) is missing .* "specter ext update gone"/);

    await fs.writeFile(path.join(pluginsDir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ id: 3 }] }));
    const broken = await discoverExtensions({ pluginsDir, loadFromCwd: false, cwd: data });
    assert.equal(broken.length, 1);
    assert.match(broken[0]!.error!, /plugins\.json is not a valid plugins file \(plugins\.0\.id/);
  });
});
