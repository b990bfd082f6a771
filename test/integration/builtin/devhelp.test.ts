import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';
import { ALPHA, row } from './helpers.js';

const PAGES = [
  { path: '/spc/ext/devhelp/', heading: 'Extension registry' },
  { path: '/spc/ext/devhelp/callbacks', heading: 'Callback catalogue' },
  { path: '/spc/ext/devhelp/jobs', heading: 'Scheduler jobs' },
  { path: '/spc/ext/devhelp/components', heading: 'Component gallery' },
];

test('devhelp and notifications load as built-ins at the alpha threshold, and not at beta', async () => {
  const t = await createTestSpecter({ config: ALPHA });
  try {
    for (const id of ['devhelp', 'notifications']) {
      const s = t.statuses().find((x) => x.id === id);
      assert.ok(s, `${id} is discovered`);
      assert.equal(s.status, 'loaded', `${id}: ${s.reason}`);
      assert.equal(s.source, 'builtin');
      assert.equal(s.devstatus, 'alpha');
    }
  } finally {
    await t.close();
  }
  const beta = await createTestSpecter();
  try {
    for (const id of ['devhelp', 'notifications']) assert.equal(beta.statuses().find((x) => x.id === id)?.status, 'below-devstatus');
  } finally {
    await beta.close();
  }
});

test('devhelp pages render for a user who activated it and are 404 for one who did not', async () => {
  const t = await createTestSpecter({ config: ALPHA });
  try {
    await t.setAuth('usernamepassword', 'admin-pass-1');
    const bob = await t.specter.userManager.addUser('bob', 'bob-pass-12');
    await t.activate('admin', 'devhelp');
    const admin = await t.login('admin-pass-1', 'admin');
    for (const page of PAGES) {
      const res = await admin.get(page.path);
      assert.equal(res.statusCode, 200, page.path);
      assert.match(res.body, new RegExp(`<h2>${page.heading}</h2>`), page.path);
      assert.match(res.body, /class="tabs"/, 'the section tabs are there');
      assert.doesNotMatch(res.body, /Settings sections/, 'not the settings tab bar');
      assert.doesNotMatch(res.body, /class="sidebar-item active" href="\/spc\/settings\/general"/, 'the sidebar does not mark Settings');
      assert.match(res.body, /devhelp\/js\/devhelp\.js"[^>]* data-route="[^"]+"/, 'the console helper is injected with the route');
    }
    // The registry lists every discovered extension with its status.
    const registry = (await admin.get('/spc/ext/devhelp/')).body;
    for (const s of t.statuses()) {
      assert.match(registry, new RegExp(`data-ext="${s.id ?? s.name}" data-status="${s.status}"`), `row of ${s.id}`);
    }
    // The console helper script and the JSON it reads.
    const js = await admin.get('/spc/ext/devhelp/static/devhelp/js/devhelp.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.body, /specterDevhelp/);
    const info = await admin.get('/spc/ext/devhelp/info.json', { accept: 'application/json' });
    assert.equal(info.statusCode, 200);
    const summary = JSON.parse(info.body) as { extensions: Array<{ id: string; status: string }>; callbacks: Array<{ id: string }> };
    assert.deepEqual(
      summary.extensions.map((e) => e.id),
      t.statuses().map((s) => s.id),
    );
    assert.ok(summary.callbacks.some((c) => c.id === 'create_and_show_notification'));

    const bobClient = await t.login('bob-pass-12', 'bob');
    assert.equal(bob.hasService('devhelp'), false);
    for (const page of PAGES) assert.equal((await bobClient.get(page.path)).statusCode, 404, page.path);
    const home = await bobClient.get('/spc/settings/general');
    assert.equal(home.statusCode, 200);
    assert.doesNotMatch(home.body, /devhelp\.js/, 'no injection for a user without devhelp');
  } finally {
    await t.close();
  }
});

test('the callbacks and jobs tabs show the catalogue, implementers, errors and jobs', async () => {
  const t = await createTestSpecter({ config: ALPHA });
  try {
    await t.activate('admin', 'devhelp');
    const manager = t.specter.extensionManager;
    manager.scheduler.addJob('notes', 'nightly_cleanup', () => undefined, { seconds: 3600 });
    manager.health.recordFailure('notes', 'callback:add_settingstabs', new Error('notes exploded <b>once</b>'));
    const client = t.client();
    const callbacks = (await client.get('/spc/ext/devhelp/callbacks')).body;
    for (const def of manager.callbacks.list()) assert.match(callbacks, new RegExp(`data-callback="${def.id}"`));
    assert.match(row(callbacks, 'data-callback="flash"'), /notifications/, 'notifications implements flash');
    assert.match(row(callbacks, 'data-callback="add_settingstabs"'), /(?=[\s\S]*>notes<)(?=[\s\S]*>notifications<)/, 'implementers are listed');
    assert.match(row(callbacks, 'data-callback="afterExtensionManagerInit"'), /nobody/);
    assert.match(callbacks, /notes exploded &lt;b&gt;once&lt;\/b&gt;/, 'errors are listed, escaped');
    const jobs = (await client.get('/spc/ext/devhelp/jobs')).body;
    assert.match(jobs, /data-job="notes:nightly_cleanup"/);
    assert.match(row(jobs, 'data-job="notes:nightly_cleanup"'), /every 3600s[\s\S]*idle[\s\S]*0 \/ 0/);
  } finally {
    await t.close();
  }
});

test('a tripped extension shows in the registry, with the way to re-enable it for an admin', async () => {
  const t = await createTestSpecter({ config: ALPHA });
  try {
    await t.setAuth('usernamepassword', 'admin-pass-1');
    await t.addUser('bob', 'bob-pass-12');
    await t.activate('admin', 'devhelp');
    await t.activate('bob', 'devhelp');
    const manager = t.specter.extensionManager;
    for (let i = 0; i < Number(t.specter.config.EXTENSION_ERROR_THRESHOLD); i++)
      manager.health.recordFailure('notes', 'callback:flash', new Error(`fail ${i}`));
    assert.ok(manager.health.isTripped('notes'));

    const bob = await t.login('bob-pass-12', 'bob');
    const bobPage = (await bob.get('/spc/ext/devhelp/')).body;
    assert.match(row(bobPage, 'data-ext="notes" data-status="loaded"'), /switched off[\s\S]*tripped[\s\S]*fail 4[\s\S]*An admin can re-enable it/);
    assert.doesNotMatch(bobPage, /Re-enable in Choose plugins/, 'no link for a non-admin');

    const admin = await t.login('admin-pass-1', 'admin');
    const page = (await admin.get('/spc/ext/devhelp/')).body;
    assert.match(row(page, 'data-ext="notes" data-status="loaded"'), /href="\/spc\/plugins\/choose#ext-notes">Re-enable in Choose plugins/);
    // Devhelp only reads (ctx.inspect): switching plugins back on is the core's, behind its admin rule.
    assert.equal((await admin.post('/spc/ext/devhelp/extensions/notes/reenable')).statusCode, 404);
    assert.ok(manager.health.isTripped('notes'));
  } finally {
    await t.close();
  }
});

test("devhelp reads statuses through ctx.inspect, never another plugin's data", async () => {
  const t = await createTestSpecter({ config: ALPHA });
  try {
    await t.activate('admin', 'devhelp');
    await t.specter.services.storage.forUser(t.specter.userManager.admin).set('notes', false, { marker: 'private note' });
    const client = t.client();
    assert.equal((await client.get('/spc/ext/devhelp/data')).statusCode, 404, 'the old cross-plugin data inspector is gone');
    for (const path of ['/spc/ext/devhelp/', '/spc/ext/devhelp/callbacks', '/spc/ext/devhelp/jobs', '/spc/ext/devhelp/info.json']) {
      assert.doesNotMatch((await client.get(path)).body, /private note/, path);
    }
    const devhelp = t.specter.extensionManager.get('devhelp')!;
    assert.deepEqual(devhelp.manifest.capabilities, ['extensions:inspect', 'pages:inject']);
    assert.ok(devhelp.ctx.inspect.extensions().some((e) => e.id === 'notes'));
  } finally {
    await t.close();
  }
});
