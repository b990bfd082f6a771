import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

test('per-user gate: A activated the extension, B did not', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper')] });
  try {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('alice', 'alice password');
    await t.specter.userManager.addUser('bob', 'bob password');
    await t.activate('alice', 'gatekeeper');
    const alice = await t.login('alice password', 'alice');
    const bob = await t.login('bob password', 'bob');

    const a = await alice.get('/spc/ext/gatekeeper/');
    assert.equal(a.statusCode, 200);
    const aWelcome = await alice.get('/spc/welcome/');
    assert.match(aWelcome.body, /<meta name="gatekeeper-head" content="1">\s*<\/head>/);
    // Body-top injections come first in <body>, after only the skip link (the first tab stop of every page).
    assert.match(aWelcome.body, /<body>\s*<a class="skip-link" href="#main">Skip to content<\/a>\s*<div id="gatekeeper-top"><\/div>/);
    assert.match(aWelcome.body, /<div id="gatekeeper-bottom"><\/div>\s*<\/body>/);
    assert.match((await alice.get('/spc/settings/general')).body, />Gatekeeper<\/a>/);

    const b = await bob.get('/spc/ext/gatekeeper/');
    assert.equal(b.statusCode, 404);
    assert.match(b.body, /SPECTER_ERR_EXT_NOT_FOUND/);
    const bWelcome = await bob.get('/spc/welcome/');
    assert.equal(bWelcome.statusCode, 200);
    assert.doesNotMatch(bWelcome.body, /gatekeeper-(head|top|bottom)/);
    assert.doesNotMatch((await bob.get('/spc/settings/general')).body, />Gatekeeper<\/a>/);
    assert.equal((await bob.post('/spc/ext/gatekeeper/echo', { value: 'x' })).statusCode, 404);

    // Static files of a loaded extension stay reachable (Choose plugins shows its icon to B).
    assert.equal((await bob.get('/spc/ext/gatekeeper/static/gatekeeper/icon.svg')).statusCode, 200);
    // Not logged in: the login guard comes first.
    const anon = await t.client().get('/spc/ext/gatekeeper/');
    assert.equal(anon.statusCode, 302);
  } finally {
    await t.close();
  }
});

test('extension routes get CSRF protection and the request user', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper')] });
  try {
    await t.activate('admin', 'gatekeeper');
    const client = t.client();
    await client.get('/spc/ext/gatekeeper/');
    const forged = await client.request('POST', '/spc/ext/gatekeeper/echo', { form: { value: 'x' } });
    assert.equal(forged.statusCode, 403);
    const ok = await client.post('/spc/ext/gatekeeper/echo', { value: 'hi' });
    assert.deepEqual(ok.json(), { echoed: 'hi', by: 'admin' });
  } finally {
    await t.close();
  }
});

test('choose plugins: activate and deactivate through the page, statuses listed for the admin', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper'), await fixturePackage('ctor_throws')] });
  try {
    const client = t.client();
    const page = await client.get('/spc/plugins/choose');
    assert.match(page.body, /Plugins in production/);
    assert.match(page.body, /data-ext="gatekeeper"/);
    assert.match(page.body, /Plugins that did not load/);
    assert.match(page.body, /ctor_throws[\s\S]*failed[\s\S]*boom in constructor/);
    const on = await client.post('/spc/plugins/gatekeeper/activate');
    assert.equal(on.statusCode, 302);
    assert.ok(t.specter.userManager.admin.hasService('gatekeeper'));
    assert.equal((await client.get('/spc/ext/gatekeeper/')).statusCode, 200);
    await client.get('/spc/plugins/choose');
    await client.post('/spc/plugins/gatekeeper/deactivate');
    assert.equal(t.specter.userManager.admin.hasService('gatekeeper'), false);
    assert.deepEqual(t.specter.userManager.admin.record.services_removed, ['gatekeeper']);
    assert.equal((await client.get('/spc/ext/gatekeeper/')).statusCode, 404);
  } finally {
    await t.close();
  }
});

test('isolation: broken constructor, config, callback and job — the app still starts and answers', async () => {
  const extensions = await Promise.all(['gatekeeper', 'ctor_throws', 'config_throws', 'flaky', 'lazy_mw'].map(fixturePackage));
  const t = await createTestSpecter({ extensions });
  try {
    const byId = new Map(t.statuses().map((s) => [s.id, s]));
    assert.equal(byId.get('ctor_throws')?.status, 'failed');
    assert.match(byId.get('ctor_throws')!.reason, /boom in constructor/);
    assert.equal(byId.get('config_throws')?.status, 'failed');
    assert.match(byId.get('config_throws')!.reason, /config/i);
    assert.equal(byId.get('flaky')?.status, 'loaded');
    assert.equal(byId.get('gatekeeper')?.status, 'loaded');

    await t.activate('admin', 'gatekeeper');
    const client = t.client();
    // flaky throws in flask_before_request on every request: each page still answers.
    for (let i = 0; i < 6; i++) assert.equal((await client.get('/spc/ext/gatekeeper/')).statusCode, 200);
    const flaky = t.statuses().find((s) => s.id === 'flaky')!;
    assert.ok(flaky.tripped, 'switched off after repeated failures');
    assert.ok(flaky.errorCount >= 5);
    // Its job throws too: caught and counted, never crashing the app.
    const run = (await t.runJob('flaky:explode')) as { status: string };
    assert.notEqual(run.status, 'ok');

    // lazy_mw mutates the welcome view model but returns nothing: the page renders as it was.
    const welcome = await client.get('/spc/welcome/');
    assert.equal(welcome.statusCode, 200);
    assert.match(welcome.body, /Get started/);

    // Re-enable from the UI (admin).
    await client.get('/spc/plugins/choose');
    const re = await client.post('/spc/plugins/flaky/reenable');
    assert.equal(re.statusCode, 302);
    assert.equal(t.statuses().find((s) => s.id === 'flaky')!.tripped, null);
  } finally {
    await t.close();
  }
});

test('adjust_view_model middleware changes the welcome page; GET /api/v1/extensions lists statuses', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper'), await fixturePackage('ctor_throws')] });
  try {
    const welcome = await t.client().get('/spc/welcome/');
    assert.match(welcome.body, /id="gatekeeper-remark"/);
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/extensions' });
    assert.equal(api.statusCode, 200);
    const list = api.json().extensions as Array<{ id: string; status: string; reason: string; version: string }>;
    const gate = list.find((e) => e.id === 'gatekeeper')!;
    assert.equal(gate.status, 'loaded');
    assert.equal(gate.version, '2.0.0');
    assert.equal(list.find((e) => e.id === 'ctor_throws')?.status, 'failed');
  } finally {
    await t.close();
  }
});

test("an isolated-client page never sets the session cookie (it would replace the user's session)", async () => {
  const t = await createTestSpecter();
  try {
    const res = await t.app.inject({ method: 'GET', url: '/ext/donate/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['set-cookie'], undefined);
    // Same origin as /spc, so its scripts are sandboxed into an opaque origin: a fetch to /spc is
    // then cross-site (no SameSite=Strict cookie) and its answer unreadable.
    assert.match(String(res.headers['content-security-policy']), /sandbox allow-scripts allow-forms/);
    assert.doesNotMatch(String(res.headers['content-security-policy']), /allow-same-origin/);
    const page = await t.app.inject({ method: 'GET', url: '/spc/welcome/' });
    assert.doesNotMatch(String(page.headers['content-security-policy']), /sandbox/, 'core pages are not sandboxed');
    const missing = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html' } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['set-cookie'], undefined);
  } finally {
    await t.close();
  }
});
