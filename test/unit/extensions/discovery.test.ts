import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DevelopmentConfig, ProductionConfig, type AppConfig } from '../../../src/config/index.js';
import { discoverExtensions, ExtensionManager } from '../../../src/extensions/index.js';
import { APP_VERSION, captureLogger, FIXTURES, fixture, linkPackage, makeConfig, tempDir, writePackage } from './_helpers.js';

const quiet = () => captureLogger().logger;

describe('discovery', () => {
  it('builtin: every subfolder with a specterExtension package.json, sorted by name', async () => {
    const found = await discoverExtensions({ builtinDir: FIXTURES, loadFromCwd: false });
    assert.ok(found.every((p) => p.source === 'builtin'));
    const names = found.map((p) => p.packageJson?.name);
    assert.ok(names.includes('specterext-hello') && names.includes('@acme/specterext-jsonstyle'));
    assert.deepEqual(names, [...names].sort());
  });

  it('builtin: ignores folders without the key, reports an unparsable package.json', async () => {
    const dir = await tempDir();
    await writePackage(path.join(dir, 'plain'), { name: 'plain', version: '1.0.0' });
    await fs.mkdir(path.join(dir, 'broken'));
    await fs.writeFile(path.join(dir, 'broken', 'package.json'), '{ nope');
    const found = await discoverExtensions({ builtinDir: dir, loadFromCwd: false });
    assert.equal(found.length, 1);
    assert.match(found[0]!.error!, /broken\/package\.json does not parse/);
  });

  it('list: a relative path, an npm package name (node_modules), a missing entry and a package without the key', async () => {
    const dir = await tempDir();
    const nodeModules = path.join(dir, 'node_modules');
    await linkPackage(nodeModules, 'specterext-hello', fixture('hello'));
    await writePackage(path.join(nodeModules, 'left-pad'), { name: 'left-pad', version: '1.0.0' });
    const found = await discoverExtensions({
      extensionList: [path.relative(dir, fixture('notes')), 'specterext-hello', 'not-installed-anywhere-xyz', './nowhere', 'left-pad'],
      cwd: dir,
      nodeModulesDir: nodeModules,
      loadFromCwd: false,
      sources: ['list'],
    });
    const byOrigin = Object.fromEntries(found.map((p) => [p.origin, p]));
    assert.equal(byOrigin['specterext-hello']!.path, fixture('hello'), 'symlink resolved to the real folder');
    assert.equal(byOrigin[path.relative(dir, fixture('notes'))]!.path, fixture('notes'));
    assert.match(byOrigin['not-installed-anywhere-xyz']!.error!, /is not an installed npm package; run "npm install not-installed-anywhere-xyz"/);
    assert.match(byOrigin['./nowhere']!.error!, /is not a folder/);
    assert.match(byOrigin['left-pad']!.error!, /has no "specterExtension" key/);
  });

  it('npm: scans node_modules, scoped packages included', async () => {
    const dir = await tempDir();
    const nodeModules = path.join(dir, 'node_modules');
    await linkPackage(nodeModules, 'specterext-hello', fixture('hello'));
    await linkPackage(nodeModules, '@acme/specterext-jsonstyle', fixture('jsonstyle'));
    await writePackage(path.join(nodeModules, 'unrelated'), { name: 'unrelated', version: '1.0.0' });
    await fs.mkdir(path.join(nodeModules, '.bin'));
    const found = await discoverExtensions({ nodeModulesDir: nodeModules, loadFromCwd: false });
    assert.deepEqual(
      found.map((p) => [p.source, p.origin]),
      [
        ['npm', '@acme/specterext-jsonstyle'],
        ['npm', 'specterext-hello'],
      ],
    );
  });

  it('cwd: only with SERVICES_LOAD_FROM_CWD; refused (and logged) otherwise', async () => {
    const cap = captureLogger();
    const refused = await discoverExtensions({ cwd: fixture('notes'), loadFromCwd: false, logger: cap.logger });
    assert.deepEqual(refused, []);
    assert.ok(cap.messages().some((m) => /SERVICES_LOAD_FROM_CWD is false: not loading it/.test(m)));
    const allowed = await discoverExtensions({ cwd: fixture('notes'), loadFromCwd: true });
    assert.deepEqual(
      allowed.map((p) => [p.source, p.path]),
      [['cwd', fixture('notes')]],
    );
  });

  it('the same folder from two sources is kept once, from the first source', async () => {
    const dir = await tempDir();
    const nodeModules = path.join(dir, 'node_modules');
    await linkPackage(nodeModules, 'specterext-hello', fixture('hello'));
    const found = await discoverExtensions({
      builtinDir: FIXTURES,
      extensionList: ['specterext-hello', fixture('notes')],
      nodeModulesDir: nodeModules,
      cwd: fixture('notes'),
      loadFromCwd: true,
    });
    const hello = found.filter((p) => p.path === fixture('hello'));
    const notes = found.filter((p) => p.path === fixture('notes'));
    assert.deepEqual(
      hello.map((p) => p.source),
      ['builtin'],
    );
    assert.deepEqual(
      notes.map((p) => p.source),
      ['builtin'],
    );
  });

  it('statuses carry the source of each extension (list, npm, cwd)', async () => {
    const dir = await tempDir();
    const nodeModules = path.join(dir, 'node_modules');
    await linkPackage(nodeModules, 'specterext-hello', fixture('hello'));
    await linkPackage(nodeModules, '@acme/specterext-jsonstyle', fixture('jsonstyle'));
    const config = makeConfig(path.join(dir, 'data'), { EXTENSION_LIST: ['specterext-hello'], SERVICES_LOAD_FROM_CWD: true });
    const manager = await ExtensionManager.create({
      config,
      logger: quiet(),
      appVersion: APP_VERSION,
      nodeModulesDir: nodeModules,
      cwd: fixture('notes'),
    });
    try {
      const rows = manager.statuses().map((s) => [s.id, s.source, s.status]);
      assert.deepEqual(rows, [
        ['hello', 'list', 'loaded'],
        ['jsonstyle', 'npm', 'loaded'],
        ['notes', 'cwd', 'loaded'],
      ]);
    } finally {
      await manager.stop();
    }
  });

  it('ProductionConfig never loads the cwd package; DevelopmentConfig does', async () => {
    const dir = await tempDir();
    const prodConfig = Object.assign(new ProductionConfig(), { SPECTER_DATA_FOLDER: path.join(dir, 'prod') }) as AppConfig;
    assert.equal(prodConfig.SERVICES_LOAD_FROM_CWD, false);
    const prod = await ExtensionManager.create({ config: prodConfig, logger: quiet(), appVersion: APP_VERSION, cwd: fixture('notes') });
    assert.deepEqual(prod.statuses(), []);
    await prod.stop();
    const devConfig = Object.assign(new DevelopmentConfig(), { SPECTER_DATA_FOLDER: path.join(dir, 'dev') }) as AppConfig;
    const dev = await ExtensionManager.create({ config: devConfig, logger: quiet(), appVersion: APP_VERSION, cwd: fixture('notes') });
    assert.deepEqual(
      dev.statuses().map((s) => [s.id, s.source, s.status]),
      [['notes', 'cwd', 'loaded']],
    );
    await dev.stop();
  });
});
