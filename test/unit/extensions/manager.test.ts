import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { ExtensionManager, type Extension, type TypeRegistry } from '../../../src/extensions/index.js';
import { APP_VERSION, captureLogger, CORE_URL, FIXTURES, fixture, makeConfig, tempDir, writePackage, type CapturedLogger } from './_helpers.js';

type Any = Record<string, any>;

describe('ExtensionManager with the fixture packages as built-in folder', () => {
  let manager: ExtensionManager;
  let cap: CapturedLogger;
  let dataFolder: string;
  const devices: Array<[string, unknown]> = [];

  before(async () => {
    cap = captureLogger();
    dataFolder = path.join(await tempDir(), 'data');
    const registry: TypeRegistry = {
      accepts: (v) => typeof v === 'function' && 'deviceType' in v,
      register: (ext, type) => devices.push([ext.id, type]),
    };
    manager = await ExtensionManager.create({
      config: makeConfig(dataFolder, { EXTENSION_ERROR_THRESHOLD: 3 }),
      logger: cap.logger,
      appVersion: APP_VERSION,
      builtinDir: FIXTURES,
      registries: { devices: registry },
    });
  });

  after(async () => {
    await manager.stop();
  });

  it('gives every package one status with a reason; broken ones never stop the others', () => {
    const byId = Object.fromEntries(manager.statuses().map((s) => [s.id ?? '', s]));
    assert.deepEqual(Object.fromEntries(Object.entries(byId).map(([id, s]) => [id, s.status])), {
      jsonstyle: 'loaded',
      alpha_only: 'below-devstatus',
      config_throws: 'failed',
      ctor_throws: 'failed',
      devices_ext: 'loaded',
      flaky: 'loaded',
      hello: 'loaded',
      lazy_mw: 'loaded',
      no_index: 'failed',
      notes: 'loaded',
      override_cfg: 'failed',
    });
    assert.match(byId.ctor_throws!.reason, /boom in constructor/);
    assert.match(byId.config_throws!.reason, /boom in config module/);
    assert.match(
      byId.no_index!.reason,
      /the default blueprint .*controller\.js\) has no GET "\/" route named "index"\. Add bp\.get\('\/', 'index', handler\)/,
    );
    assert.match(byId.override_cfg!.reason, /Config BaseConfig of extension "override_cfg" .* tries to override existing key HOST/);
    assert.match(byId.alpha_only!.reason, /devstatus "alpha" is below the threshold "beta"/);
    const hello = byId.hello!;
    assert.deepEqual(
      { name: hello.name, version: hello.version, source: hello.source, path: hello.path, devstatus: hello.devstatus },
      { name: 'Hello', version: '1.2.0', source: 'builtin', path: fixture('hello'), devstatus: 'prod' },
    );
    assert.ok(
      cap.lines.some((l) => l.ext === 'ctor_throws' && /not loaded \(failed\)/.test(String(l.msg))),
      'failure logged with the ext id',
    );
  });

  it('orders loaded extensions as the callbacks run: dependencies first, then sortPriority', () => {
    assert.deepEqual(
      manager.extensions.map((e) => e.id),
      ['hello', 'flaky', 'jsonstyle', 'devices_ext', 'lazy_mw', 'notes'],
    );
    assert.equal(manager.get('hello')?.manifest.name, 'Hello');
    assert.equal(manager.get('ctor_throws'), undefined);
  });

  it('builds instances with their context: data folder created, version, manifest, capabilities', async () => {
    const hello = manager.get('hello')!;
    assert.equal(hello.ctx.files.folder, path.join(dataFolder, 'extensions', 'hello'));
    assert.ok((await fs.stat(hello.ctx.files.folder)).isDirectory());
    assert.equal(hello.ctx.version, APP_VERSION);
    assert.equal(hello.blueprintName, 'hello_endpoint');
    assert.deepEqual(hello.manifest.capabilities, ['jobs', 'pages:inject']);
    assert.equal(hello.injectInBasejinjaHead?.({}), '<meta name="hello">');
    const notes = manager.get('notes')!;
    assert.equal(notes.manifest.optionality, 'opt_out', 'manifest-only extension uses the base class');
  });

  it('merges extension config: first match along the chain, uppercase keys only, override refused without trace', () => {
    const c = manager.config as Any;
    assert.equal(c.HELLO_GREETING, 'hi from test', 'TestConfig wins under TestConfig');
    assert.equal(c.HELLO_ONLY_BASE, 'base', 'inherited keys count');
    assert.equal(c.lowercase_ignored, undefined);
    assert.equal(c.JSONSTYLE_URL, 'https://example.invalid/api', 'falls back to BaseConfig');
    assert.equal(c.HOST, '127.0.0.1', 'the core key kept its value');
    assert.equal(c.OVERRIDE_CFG_OK, undefined, 'nothing of the refused config was written');
    assert.equal(manager.get('hello')!.ctx.config.HELLO_GREETING, 'hi from test');
  });

  it('exposes blueprints with prefixes, folders and urlFor', () => {
    const names = manager.blueprints().map((bp) => [bp.name, bp.urlPrefix]);
    assert.deepEqual(names, [
      ['hello_endpoint', '/spc/ext/hello'],
      ['flaky_endpoint', '/spc/ext/flaky'],
      ['jsonstyle_endpoint', '/spc/ext/jsonstyle'],
      ['jsonstyle_ui_endpoint', '/spc/ext/jsonstyle/ui'],
      ['devices_ext_endpoint', '/spc/ext/devices_ext'],
      ['lazy_mw_endpoint', '/spc/ext/lazy_mw'],
      ['notes_endpoint', '/spc/ext/notes'],
    ]);
    const [helloBp] = manager.blueprintsOf('hello');
    assert.deepEqual(
      helloBp!.routes.map((r) => [r.method, r.path, r.endpoint]),
      [
        ['GET', '/spc/ext/hello/', 'hello_endpoint.index'],
        ['GET', '/spc/ext/hello/settings', 'hello_endpoint.settings'],
        ['POST', '/spc/ext/hello/settings', 'hello_endpoint.settings_post'],
        ['GET', '/spc/ext/hello/wallet/:wallet_alias', 'hello_endpoint.wallet'],
      ],
    );
    assert.deepEqual(helloBp!.routes[2]!.options, { csrf: true });
    assert.equal(helloBp!.staticFolder, path.join(fixture('hello'), 'static'));
    assert.deepEqual(manager.templateFolders(), [path.join(fixture('hello'), 'templates')]);
    assert.equal(manager.blueprintsOf('flaky')[0]!.staticFolder, undefined);

    const url = (n: string, p?: Any) => manager.endpoints.urlFor(n, p);
    assert.equal(url('hello_endpoint.index'), '/spc/ext/hello/');
    assert.equal(url('hello_endpoint.static', { filename: 'hello/img/icon.svg' }), '/spc/ext/hello/static/hello/img/icon.svg');
    assert.equal(url('hello_endpoint.wallet', { wallet_alias: 'my wallet', tab: 'x' }), '/spc/ext/hello/wallet/my%20wallet?tab=x');
    assert.equal(url('jsonstyle_ui_endpoint.page', { name: 'a' }), '/spc/ext/jsonstyle/ui/page/a');
    assert.equal(
      url('notes_endpoint.static', { filename: 'notes.css' }),
      '/spc/ext/notes/static/notes.css',
      'icons of blueprint-less extensions resolve',
    );
    assert.throws(
      () => url('no_index_endpoint.other'),
      (e) => isSpecterError(e, 'EXT_ENDPOINT_UNKNOWN'),
      'a failed extension leaves no endpoint',
    );
  });

  it('registers contributed device types (each once, only accepted exports)', () => {
    assert.deepEqual(
      devices.map(([id, t]) => [id, (t as { name: string }).name]),
      [['devices_ext', 'FancyDevice']],
    );
    assert.deepEqual(manager.contributions('devices_ext').devices.length, 1);
  });

  it('fired afterExtensionManagerInit at the end of loading', () => {
    assert.equal((manager.get('hello') as Any).initialised, true);
  });

  it('collect drops nulls and skips throwing extensions; middleware survives a broken contract', async () => {
    const tabs = await manager.callbacks.collect('add_settingstabs');
    assert.deepEqual(tabs, { hello: [{ title: 'Hello', endpoint: 'settings' }] });
    const vm = await manager.callbacks.middleware('adjust_view_model', { trail: [] as string[] });
    assert.deepEqual(vm.trail, ['hello', 'jsonstyle']);
    assert.ok(cap.messages().some((m) => /extension "lazy_mw" did not respect middleware contract for adjust_view_model/.test(m)));
    assert.equal(manager.health.consecutiveFailures('flaky'), 1);
    assert.equal(manager.errors('flaky').at(-1)!.where, 'callback:add_settingstabs');
    manager.health.reenable('flaky'); // reset the counter for the next test
  });

  it('runs extension-defined callbacks and refuses a second definition', async () => {
    assert.equal(manager.callbacks.get('hello_greeted')?.definedBy, 'hello');
    assert.deepEqual(await manager.callbacks.execute('hello_greeted', 'bob'), { jsonstyle: 'jsonstyle saw bob' });
    assert.throws(
      () => manager.callbacks.defineCallback({ id: 'hello_greeted', style: 'collect' }, 'jsonstyle'),
      (e) => isSpecterError(e, 'EXT_CALLBACK_CONFLICT'),
    );
    await assert.rejects(manager.callbacks.execute('nobody_defined_this'), (e) => isSpecterError(e, 'EXT_UNKNOWN_CALLBACK'));
  });

  it('trips an extension after EXTENSION_ERROR_THRESHOLD consecutive callback errors; others keep running; re-enable restores', async () => {
    const hello = manager.get('hello') as Any;
    const before = hello.seenRequests;
    for (let i = 0; i < 3; i++) await manager.callbacks.execute('flask_before_request', {});
    assert.equal(hello.seenRequests, before + 3, 'hello ran every time');
    assert.equal(manager.isActive('flaky'), false);
    const row = manager.statuses().find((s) => s.id === 'flaky')!;
    assert.equal(row.status, 'loaded');
    assert.match(row.tripped!.reason, /switched off after 3 consecutive errors \(last in callback:flask_before_request: flaky before_request\)/);
    const count = manager.health.totalFailures('flaky');
    await manager.callbacks.execute('flask_before_request', {});
    assert.equal(manager.health.totalFailures('flaky'), count, 'a tripped extension is not called');
    assert.equal(manager.reenable('flaky'), true);
    assert.equal(manager.isActive('flaky'), true);
    assert.equal(manager.statuses().find((s) => s.id === 'flaky')!.tripped, null);
  });

  it('hands each extension a scoped scheduler; job errors count towards the same threshold', async () => {
    await manager.afterServerInit();
    const jobs = manager.scheduler.list();
    assert.deepEqual(
      jobs.map((j) => [j.id, j.ext, j.schedule]),
      [
        ['hello:tick', 'hello', 'every 3600s'],
        ['flaky:explode', 'flaky', 'cron 0 0 1 1 *'],
      ],
    );
    assert.ok(jobs[0]!.nextRun instanceof Date);
    assert.deepEqual(await manager.scheduler.runNow('hello:tick'), { status: 'ok' });
    assert.equal((manager.get('hello') as Any).ticks, 1);

    const r = await manager.scheduler.runNow('flaky:explode');
    assert.equal(r.status, 'error');
    assert.equal(manager.scheduler.list().find((j) => j.id === 'flaky:explode')!.lastError, 'job exploded');
    assert.equal(manager.errors('flaky').at(-1)!.where, 'job:flaky:explode');
    await manager.callbacks.execute('flask_before_request', {}); // callback + job failures share the counter
    await manager.scheduler.runNow('flaky:explode');
    assert.equal(manager.isActive('flaky'), false);
    assert.equal((await manager.scheduler.runNow('flaky:explode')).status, 'skipped');
    assert.equal((await manager.scheduler.runNow('hello:tick')).status, 'ok', 'other extensions keep running');
    manager.reenable('flaky');
  });

  it('stop() stops the scheduler and calls stop() on extensions', async () => {
    const local = await ExtensionManager.create({
      config: makeConfig(path.join(await tempDir(), 'data')),
      logger: captureLogger().logger,
      appVersion: APP_VERSION,
      builtinDir: FIXTURES,
      sources: ['builtin'],
    });
    await local.afterServerInit();
    const hello = local.get('hello') as Any;
    await local.stop();
    assert.equal(hello.stopped, true);
    assert.equal(local.scheduler.stopped, true);
    assert.ok(local.scheduler.list().every((j) => j.nextRun === null));
  });
});

describe('ExtensionManager with generated packages', () => {
  it('turns bad manifests into clear statuses, never a throw', async () => {
    const dir = await tempDir();
    const builtin = path.join(dir, 'builtin');
    const ext = (folder: string, manifest: Any, extra: Any = {}) =>
      writePackage(path.join(builtin, folder), {
        name: `specterext-${folder}`,
        version: '1.0.0',
        ...extra,
        specterExtension: { hasBlueprint: false, devstatus: 'prod', ...manifest },
      });
    await ext('a_no_id', { name: 'No Id' });
    await ext('b_slash', { id: 'a/b', name: 'Slash' });
    await ext('c_dots', { id: '..', name: 'Dots' });
    await ext('d_gamma', { id: 'gamma', name: 'Gamma', devstatus: 'gamma' });
    await ext('e_engines', { id: 'engines', name: 'Engines', engines: 'soon' });
    await ext('f_version', { id: 'ver', name: 'Version' }, { version: 'one' });
    await ext('g_depends', { id: 'lonely', name: 'Lonely', depends: ['ghost'] });
    await ext('h_future', { id: 'future', name: 'Future', engines: '>=9.0.0' });
    await ext('h2_npm_engines', { id: 'npmeng', name: 'npm engines' }, { engines: { node: '>=20', 'specter-ts': '>=5.0.0' } });
    await ext('i_main_missing', { id: 'nomain', name: 'No main', main: './gone.js' });
    await writePackage(
      path.join(builtin, 'j_two_classes'),
      {
        name: 'specterext-two',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        specterExtension: { id: 'two', name: 'Two', hasBlueprint: false, devstatus: 'prod' },
      },
      { 'index.js': `import { Extension } from '${CORE_URL}';\nexport class A extends Extension {}\nexport class B extends Extension {}\n` },
    );
    const manager = await ExtensionManager.create({
      config: makeConfig(path.join(dir, 'data')),
      logger: captureLogger().logger,
      appVersion: APP_VERSION,
      builtinDir: builtin,
    });
    const rows = manager.statuses();
    const by = (folder: string) => rows.find((r) => r.path === path.join(builtin, folder))!;
    assert.equal(by('a_no_id').status, 'failed');
    assert.match(by('a_no_id').reason, /extension package "specterext-a_no_id" \(.*package\.json\): field "id" is missing/);
    assert.match(by('b_slash').reason, /field "id" is "a\/b"; an id must not contain "\/"/);
    assert.match(by('c_dots').reason, /field "id" is "\.\."; an id must not contain "\.\."/);
    assert.match(by('d_gamma').reason, /extension "gamma" \(.*d_gamma\/package\.json\): field "devstatus" is "gamma"; use alpha, beta or prod\./);
    assert.match(by('e_engines').reason, /field "engines" is "soon"; use a semver range/);
    assert.match(by('f_version').reason, /package\.json "version" is "one"; use a semver version/);
    assert.deepEqual(
      [by('g_depends').status, by('g_depends').reason],
      ['missing-dependency', 'depends on "ghost", which is not installed; install it or remove it from "depends".'],
    );
    assert.equal(by('h_future').status, 'incompatible');
    assert.deepEqual(
      [by('h2_npm_engines').status, by('h2_npm_engines').reason],
      ['incompatible', 'requires Specter TS >=5.0.0, this is 0.1.0; install a version of the extension made for 0.1.0, or upgrade Specter TS.'],
    );
    assert.match(by('i_main_missing').reason, /could not load main module .*gone\.js: main module .*gone\.js does not exist/);
    assert.match(by('j_two_classes').reason, /exports several Extension subclasses \(A, B\); export the extension as the default export/);
    assert.equal(manager.extensions.length, 0);
    await manager.stop();
  });

  it('a dependency that fails while loading takes its dependents down; disabled skips the import', async () => {
    const dir = await tempDir();
    const builtin = path.join(dir, 'builtin');
    const base = { version: '1.0.0', type: 'module', main: 'index.js' };
    await writePackage(
      path.join(builtin, 'base'),
      { name: 'base', ...base, specterExtension: { id: 'base', name: 'Base', hasBlueprint: false, devstatus: 'prod' } },
      {
        'index.js': `import { Extension } from '${CORE_URL}';\nexport default class B extends Extension { constructor(c) { super(c); throw new Error('base broke'); } }\n`,
      },
    );
    await writePackage(
      path.join(builtin, 'child'),
      { name: 'child', ...base, specterExtension: { id: 'child', name: 'Child', hasBlueprint: false, devstatus: 'prod', depends: ['base'] } },
      {
        'index.js': `import { Extension } from '${CORE_URL}';\nexport default class C extends Extension {}\n`,
      },
    );
    await writePackage(
      path.join(builtin, 'off'),
      { name: 'off', ...base, specterExtension: { id: 'off', name: 'Off', devstatus: 'prod' } },
      {
        'index.js': `throw new Error('disabled code must not run');\n`,
      },
    );
    const manager = await ExtensionManager.create({
      config: makeConfig(path.join(dir, 'data')),
      logger: captureLogger().logger,
      appVersion: APP_VERSION,
      builtinDir: builtin,
      disabled: ['off'],
    });
    const by = Object.fromEntries(manager.statuses().map((s) => [s.id, s]));
    assert.equal(by.base!.status, 'failed');
    assert.equal(by.child!.status, 'missing-dependency');
    assert.match(by.child!.reason, /depends on "base", which failed to load/);
    assert.deepEqual([by.off!.status, by.off!.reason], ['disabled', 'disabled in the configuration.']);
    await manager.stop();
  });

  it('loads inline extensions (code, no package) with inline controllers and config', async () => {
    const { Extension } = await import('../../../src/extensions/index.js');
    class Inline extends Extension {
      static override manifest = { id: 'inline_ext', name: 'Inline', devstatus: 'prod', isolatedClient: true };
    }
    const config = makeConfig(path.join(await tempDir(), 'data'));
    const manager = await ExtensionManager.create({
      config,
      logger: captureLogger().logger,
      appVersion: APP_VERSION,
      inline: [
        {
          extensionClass: Inline,
          controllers: { default: (bp) => void bp.get('/', 'index', () => 'hi') },
          configModule: { BaseConfig: { INLINE_KEY: 1 } },
        },
      ],
    });
    assert.deepEqual(
      manager.statuses().map((s) => [s.id, s.source, s.status]),
      [['inline_ext', 'inline', 'loaded']],
    );
    assert.equal(
      manager.endpoints.urlFor('inline_ext_endpoint.index'),
      '/ext/inline_ext/',
      'isolatedClient mounts under ISOLATED_CLIENT_EXT_URL_PREFIX',
    );
    assert.equal((config as Any).INLINE_KEY, 1);
    assert.ok((manager.get('inline_ext') as Extension) instanceof Inline);
    await manager.stop();
  });
});
