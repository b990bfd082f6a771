/**
 * Plugins come and go without a restart: the admin's Disable/Enable (the same POST the Choose
 * plugins page sends) and reconcile() after plugins.json changes. Everything a plugin adds must
 * disappear and return: routes, static files, the sidebar entry, settings tab, page injection,
 * callbacks, jobs, url_for names; its stop() and disposables run; a request in flight finishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestSpecter, type TestClient, type TestSpecter } from '../../../src/testing/index.js';
import { PLUGINS_FILE } from '../../../src/extensions/index.js';
import { hashPackageFiles, pluginPackageDir } from '../../../src/extensions/install/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

interface LifecycleState {
  instances: number;
  before: number;
  ticks: number;
  stops: number;
  disposed: number;
  addedToApp: number;
  entered: number;
  version?: string;
  release: ((value?: unknown) => void) | null;
}

function stateOf(id: string): LifecycleState {
  const record = ((globalThis as Record<string, unknown>).__specterLifecycle ??= {}) as Record<string, LifecycleState>;
  record[id] ??= { instances: 0, before: 0, ticks: 0, stops: 0, disposed: 0, addedToApp: 0, entered: 0, release: null };
  return record[id];
}

const PASSWORD = 'admin password';

async function adminApp(options: Parameters<typeof createTestSpecter>[0] = {}): Promise<{ t: TestSpecter; admin: TestClient }> {
  const t = await createTestSpecter(options);
  await t.setAuth('passwordonly', PASSWORD);
  return { t, admin: await t.login(PASSWORD) };
}

/** What the plugin shows a user, page by page. */
async function visible(t: TestSpecter, admin: TestClient) {
  const page = await admin.get('/spc/ext/lifecycle/');
  const welcome = await admin.get('/spc/welcome/');
  const settings = await admin.get('/spc/settings/general');
  const icon = await admin.get('/spc/ext/lifecycle/static/lifecycle/icon.svg');
  return {
    page: page.statusCode,
    pageBody: page.body,
    static: icon.statusCode,
    sidebar: welcome.body.includes('href="/spc/ext/lifecycle/"'),
    injected: welcome.body.includes('id="lifecycle-injected"'),
    tab: settings.body.includes('Life Cycle tab'),
    endpoint: t.specter.endpoints.has('lifecycle_endpoint.index'),
    types: t.specter.deviceTypes.has('lifecycle_dev') && t.specter.nodeTypes.get('lifecycle_node') !== undefined,
    routes: t.app.routeTable.filter((r) => r.extension === 'lifecycle').length,
  };
}

test('disable and enable at runtime: everything the plugin adds goes and comes back; a request in flight finishes', async (t) => {
  const { t: app, admin } = await adminApp({ extensions: [await fixturePackage('lifecycle')] });
  t.after(() => app.close());
  const state = stateOf('lifecycle');
  const start = { ...state };

  const on = await visible(app, admin);
  assert.deepEqual(
    { ...on, pageBody: undefined },
    { page: 200, pageBody: undefined, static: 200, sidebar: true, injected: true, tab: true, endpoint: true, types: true, routes: on.routes },
  );
  assert.ok(on.routes >= 7, `the route table lists its routes (${on.routes})`);
  assert.match(on.pageBody, /Life cycle page, version 1\.0\.0/);
  await app.runJob('lifecycle:tick');
  assert.equal(state.ticks, start.ticks + 1, 'its job runs');

  // A request in flight when the admin disables the plugin: the disable waits for it.
  const slow = admin.get('/spc/ext/lifecycle/slow');
  while (state.entered === start.entered) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(app.specter.extensionManager.inflight.count('lifecycle'), 1);
  let disabled = false;
  const disabling = admin.post('/spc/plugins/lifecycle/disable').then((res) => {
    disabled = true;
    return res;
  });
  const manager = app.specter.extensionManager;
  while (manager.isActive('lifecycle')) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(disabled, false, 'the disable waits for the request in flight');
  assert.equal(manager.statuses().find((s) => s.id === 'lifecycle')?.status, 'loaded', 'still unloading');
  assert.equal((await admin.get('/spc/ext/lifecycle/')).statusCode, 503, 'meanwhile no new request reaches it');
  state.release!();
  const slowRes = await slow;
  assert.equal(slowRes.statusCode, 200);
  assert.equal(slowRes.body, 'slow done', 'the request in flight finished');
  assert.equal((await disabling).statusCode, 302);

  const off = await visible(app, admin);
  assert.deepEqual(
    { ...off, pageBody: undefined },
    { page: 503, pageBody: undefined, static: 404, sidebar: false, injected: false, tab: false, endpoint: false, types: false, routes: 0 },
  );
  assert.match(off.pageBody, /The plugin &quot;Life Cycle&quot; is switched off by an admin/);
  assert.match(off.pageBody, /href="\/spc\/plugins\/choose#plugin-admin-lifecycle"/, 'the page links to the switch');
  await assert.rejects(app.runJob('lifecycle:tick'), /No job "lifecycle:tick"/, 'its job is gone');
  assert.equal(state.stops, start.stops + 1, 'stop() ran');
  assert.equal(state.disposed, start.disposed + 1, 'its disposable ran');
  const before = state.before;
  await admin.get('/spc/welcome/');
  assert.equal(state.before, before, 'its callbacks are not called any more');
  assert.equal(app.statuses().find((s) => s.id === 'lifecycle')?.status, 'disabled');
  const config = JSON.parse(await fs.readFile(path.join(app.dataFolder, 'config.json'), 'utf8'));
  assert.deepEqual(config.extensions_disabled, ['lifecycle'], 'remembered in config.json');
  const choose = await admin.get('/spc/plugins/choose');
  assert.match(choose.body, /<tr id="plugin-admin-lifecycle" data-ext="lifecycle" data-on="no">/);

  assert.equal((await admin.post('/spc/plugins/lifecycle/enable')).statusCode, 302);
  const back = await visible(app, admin);
  assert.deepEqual({ ...back, pageBody: undefined }, { ...on, pageBody: undefined }, 'everything is back');
  assert.equal(state.instances, start.instances + 1, 'a new instance');
  assert.equal(state.addedToApp, start.addedToApp + 1, 'it heard specter_added_to_flask_app, as at start');
  await app.runJob('lifecycle:tick');
  assert.equal(state.ticks, start.ticks + 2, 'its job runs again');
  await admin.get('/spc/welcome/');
  assert.ok(state.before > before, 'its callbacks run again');
  const after = JSON.parse(await fs.readFile(path.join(app.dataFolder, 'config.json'), 'utf8'));
  assert.deepEqual(after.extensions_disabled, []);
});

test('a plugin switched off stays off after a restart; only an admin may switch', async (t) => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-lifecycle-'));
  t.after(() => fs.rm(dataFolder, { recursive: true, force: true }));
  const extensions = [await fixturePackage('lifecycle')];
  const first = await createTestSpecter({ dataFolder, extensions });
  await first.setAuth('usernamepassword', PASSWORD);
  await first.specter.userManager.addUser('bob', 'bob password');
  const bob = await first.login('bob password', 'bob');
  const refused = await bob.post('/spc/plugins/lifecycle/disable');
  assert.equal(refused.statusCode, 403, 'a non-admin cannot switch plugins');
  assert.equal(first.statuses().find((s) => s.id === 'lifecycle')?.status, 'loaded');
  const admin = await first.login(PASSWORD, 'admin');
  assert.equal((await admin.post('/spc/plugins/lifecycle/disable')).statusCode, 302);
  await first.close();

  const second = await createTestSpecter({ dataFolder, extensions });
  t.after(() => second.close());
  assert.equal(second.statuses().find((s) => s.id === 'lifecycle')?.status, 'disabled', 'config.json wins over the start value');
});

test('login: false routes, csrf: false with a schema, and a 404 for an unknown plugin address', async (t) => {
  const { t: app, admin } = await adminApp({ extensions: [await fixturePackage('lifecycle')] });
  t.after(() => app.close());
  const anonymous = app.client();
  const open = await anonymous.get('/spc/ext/lifecycle/open');
  assert.equal(open.statusCode, 200);
  assert.equal(open.body, 'open to everyone');
  assert.equal((await anonymous.get('/spc/ext/lifecycle/')).statusCode, 302, 'other routes need a login');
  const ok = await admin.request('POST', '/spc/ext/lifecycle/hook', { json: { n: '7' } });
  assert.equal(ok.statusCode, 200, 'csrf: false needs no token');
  assert.deepEqual(JSON.parse(ok.body), { got: { n: 7 } }, "Fastify's coercion applies");
  const bad = await admin.request('POST', '/spc/ext/lifecycle/hook', { json: { m: 1 } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /Field &quot;n&quot; is invalid/, 'the schema names the field');
  assert.equal((await admin.get('/spc/ext/nothing-here/')).statusCode, 404);
});

test('errors land on the plugin: a missing template and a throw name it and count for its breaker; then its pages say it is off', async (t) => {
  const lines: string[] = [];
  const { t: app, admin } = await adminApp({
    extensions: [await fixturePackage('brokenpages')],
    config: { EXTENSION_ERROR_THRESHOLD: 3 },
    logLines: lines,
  });
  t.after(() => app.close());
  const health = app.specter.extensionManager.health;
  const missing = await admin.get('/spc/ext/brokenpages/missing');
  assert.equal(missing.statusCode, 500);
  assert.match(missing.body, /The plugin &quot;Broken Pages&quot; failed: its template &quot;brokenpages\/nope.njk&quot; does not exist/);
  assert.match(missing.body, /SPECTER_ERR_EXT_TEMPLATE_MISSING/);
  assert.doesNotMatch(missing.body, /inside Specter TS/, 'the core is not blamed');
  assert.ok(
    lines.some((l) => l.includes('request failed in plugin \\"brokenpages\\"') && l.includes('nope.njk')),
    'the log names the plugin',
  );
  assert.equal(health.consecutiveFailures('brokenpages'), 1);
  const boom = await admin.get('/spc/ext/brokenpages/boom');
  assert.equal(boom.statusCode, 500);
  assert.match(boom.body, /The plugin &quot;Broken Pages&quot; failed/);
  assert.equal(health.consecutiveFailures('brokenpages'), 2);
  await admin.get('/spc/ext/brokenpages/boom');
  assert.equal(health.isTripped('brokenpages'), true, 'switched off at the threshold');
  const page = await admin.get('/spc/ext/brokenpages/');
  assert.equal(page.statusCode, 503);
  assert.match(page.body, /The plugin &quot;Broken Pages&quot; is switched off after 3 consecutive errors/);
  assert.match(page.body, /href="\/spc\/plugins\/choose#plugin-admin-brokenpages"/);
  assert.equal(health.consecutiveFailures('brokenpages'), 3, 'the switched-off page is not another failure');
  const choose = await admin.get('/spc/plugins/choose');
  assert.match(choose.body, /id="plugin-admin-brokenpages"[\s\S]*?Re-enable Broken Pages/, 'the link leads to the re-enable control');
});

test('a callback that times out is named on the page and counted', { timeout: 20_000 }, async (t) => {
  const app = await createTestSpecter({
    extensions: [await fixturePackage('hangs')],
    config: { EXTENSION_CALLBACK_TIMEOUT: 30, EXTENSION_ERROR_THRESHOLD: 5 },
  });
  t.after(() => app.close());
  await app.setAuth('passwordonly', PASSWORD);
  const page = await app.client().get('/spc/auth/login');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /The plugin &quot;Hangs&quot; did not answer in time \(callback:flask_before_request\); this page is shown without it/);
  assert.equal(app.specter.extensionManager.health.consecutiveFailures('hangs'), 1);
});

/** `<data>/plugins` as the installer leaves it: node_modules with the package, and plugins.json. */
async function installIntoPluginsFolder(dataFolder: string, version = '1.0.0'): Promise<string> {
  const folder = path.join(dataFolder, 'plugins');
  const modules = path.join(folder, 'node_modules');
  await fs.mkdir(modules, { recursive: true });
  const dest = path.join(modules, 'specterext-lifecycle');
  await fs.rm(dest, { recursive: true, force: true });
  await fs.cp(await fixturePackage('lifecycle'), dest, { recursive: true });
  const pkg = JSON.parse(await fs.readFile(path.join(dest, 'package.json'), 'utf8'));
  pkg.version = version;
  await fs.writeFile(path.join(dest, 'package.json'), JSON.stringify(pkg));
  return folder;
}

/** plugins.json as `specter ext install` writes it (atomically), with the installed files' hashes. */
async function writePluginsList(folder: string, plugins: Array<{ id: string; package: string; version: string }>): Promise<void> {
  const records = [];
  for (const p of plugins) {
    const dir = pluginPackageDir(folder, p.package);
    const files = await hashPackageFiles(dir).catch(() => ({}));
    records.push({
      id: p.id,
      packageName: p.package,
      version: p.version,
      spec: p.package,
      integrity: null,
      files,
      installedAt: new Date().toISOString(),
      signer: null,
      signerKey: null,
    });
  }
  await fs.writeFile(path.join(folder, `${PLUGINS_FILE}.tmp`), JSON.stringify({ version: 1, plugins: records }));
  await fs.rename(path.join(folder, `${PLUGINS_FILE}.tmp`), path.join(folder, PLUGINS_FILE));
}

test('plugins.json: a package listed there loads without a restart, reloads when updated, and goes when removed', { timeout: 30_000 }, async (t) => {
  const { t: app, admin } = await adminApp();
  t.after(() => app.close());
  const manager = app.specter.extensionManager;
  assert.equal((await admin.get('/spc/ext/lifecycle/')).statusCode, 404, 'not installed yet');
  const folder = await installIntoPluginsFolder(app.dataFolder);
  const entry = { id: 'lifecycle', package: 'specterext-lifecycle', version: '1.0.0' };

  // The watcher sees the list change (the wait is bounded by the test's timeout).
  const changed = new Promise<void>((resolve) => {
    const off = manager.onChange((change) => {
      if (change.added.some((e) => e.id === 'lifecycle')) {
        off();
        resolve();
      }
    });
  });
  await writePluginsList(folder, [entry]);
  await changed;
  const status = app.statuses().find((s) => s.id === 'lifecycle');
  assert.equal(status?.source, 'plugins');
  assert.equal(status?.status, 'loaded');
  const page = await admin.get('/spc/ext/lifecycle/');
  assert.equal(page.statusCode, 200, 'served at once');
  assert.match(page.body, /version 1\.0\.0/);
  assert.ok(app.specter.userManager.admin.hasService('lifecycle'), 'opt_out: active for every user, as at start');
  await app.runJob('lifecycle:tick');

  // An update in place: the package is imported again under a new URL and served by a new instance.
  const first = manager.get('lifecycle');
  await installIntoPluginsFolder(app.dataFolder, '1.1.0');
  await writePluginsList(folder, [{ ...entry, version: '1.1.0' }]);
  const change = await manager.reconcile();
  assert.deepEqual(
    [change.removed.map((e) => e.id), change.added.map((e) => e.id)],
    [[], []].map(() => ['lifecycle']),
  );
  assert.notEqual(manager.get('lifecycle'), first);
  assert.equal(manager.get('lifecycle')?.manifest.version, '1.1.0');
  assert.match((await admin.get('/spc/ext/lifecycle/')).body, /version 1\.1\.0/, 'the new version answers');
  assert.equal((await manager.reconcile()).added.length, 0, 'nothing changed: nothing reloads');

  // Removed from the list: gone at once.
  await writePluginsList(folder, []);
  await manager.reconcile();
  assert.equal(manager.get('lifecycle'), undefined);
  assert.equal(
    app.statuses().find((s) => s.id === 'lifecycle'),
    undefined,
  );
  assert.equal((await admin.get('/spc/ext/lifecycle/')).statusCode, 404);
  assert.equal(app.specter.endpoints.has('lifecycle_endpoint.index'), false);
});

test('plugins.json entries that cannot be used are reported, not skipped', async (t) => {
  const { t: app } = await adminApp();
  t.after(() => app.close());
  const folder = path.join(app.dataFolder, 'plugins');
  await fs.mkdir(folder, { recursive: true });
  await writePluginsList(folder, [{ id: 'away', package: 'specterext-away', version: '1.0.0' }]);
  await app.specter.extensionManager.reconcile();
  const failed = app.statuses().filter((s) => s.source === 'plugins');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.reason, /installed plugin "away" \(specterext-away\) is missing from .*; run "specter ext update away" to reinstall it/);
  // A list that names a path instead of a package is refused as a whole, with the file named.
  await fs.writeFile(path.join(folder, PLUGINS_FILE), JSON.stringify({ version: 1, plugins: [{ id: 'escape', packageName: '../../etc' }] }));
  await app.specter.extensionManager.reconcile();
  const bad = app.statuses().filter((s) => s.source === 'plugins');
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.reason, /plugins\.json/);
});

test('a plugin loaded at runtime gets its config keys merged as at start; unloading puts the config back', async (t) => {
  const app = await createTestSpecter({ extensions: [await fixturePackage('hello')] });
  t.after(() => app.close());
  const config = app.specter.config as unknown as Record<string, unknown>;
  const manager = app.specter.extensionManager;
  assert.equal(config.HELLO_GREETING, 'hi from test', 'its TestConfig class, merged at start');
  await manager.disable('hello', { persist: false });
  assert.equal(config.HELLO_GREETING, undefined, 'gone with the plugin');
  assert.equal(manager.callbacks.has('hello_greeted'), false, 'the callback it defined is gone too');
  await manager.enable('hello', { persist: false });
  assert.equal(config.HELLO_GREETING, 'hi from test');
  assert.equal(manager.callbacks.has('hello_greeted'), true);
  await manager.unload('hello');
  assert.equal(manager.get('hello'), undefined);
  assert.equal(app.statuses().find((s) => s.id === 'hello')?.status, 'disabled', 'unload keeps it out until enabled');
  await assert.rejects(async () => manager.unload('hello'), /No loaded extension "hello"/);
});
