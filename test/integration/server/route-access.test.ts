/**
 * The route table is the guard: every route declares who may call it (`config.access`), and this
 * test walks every route Fastify knows with no session, with a non-admin user's session and with
 * a foreign Host, checking each answers as its rule says. A route added without a rule stops the
 * app from starting (last test), so it cannot slip past this walk.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createTestSpecter, type TestSpecter, type TestClient } from '../../../src/testing/index.js';
import routeTable from '../../../src/server/plugins/route-table.js';
import type { RouteRow } from '../../../src/server/plugins/route-table.js';
import { EndpointRegistry } from '../../../src/extensions/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

let t: TestSpecter;
let bob: TestClient;
const PASSWORD = 'admin password';

before(async () => {
  // DevelopmentConfig-level devstatus: every built-in extension (isolated `donate` included) is mounted.
  t = await createTestSpecter({ config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } });
  await t.setAuth('usernamepassword', PASSWORD);
  await t.specter.userManager.addUser('bob', 'bob password');
  bob = await t.login('bob password', 'bob');
});
after(() => t.close());

/** A concrete URL for a route pattern: every parameter gets a harmless value. */
function concrete(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, 'nothing-here').replace(/\*$/, 'x.css');
}

function routes(): RouteRow[] {
  return t.app.routeTable.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
}

test('every route has an access rule, and the table holds the core areas, the API and the extensions', () => {
  const rows = routes();
  assert.ok(rows.length > 60, `${rows.length} routes`);
  for (const row of rows)
    assert.ok(row.access === 'public' || row.access === 'user' || row.access === 'admin', `${row.method} ${row.url}: ${row.access}`);
  for (const area of [
    '/spc/welcome/',
    '/spc/auth/login',
    '/spc/settings/auth',
    '/spc/wallets/',
    '/spc/devices/',
    '/spc/plugins/choose',
    '/spc/nodes/',
    '/spc/setup/',
    '/api/v1/health',
    '/api/v1/wallets',
    '/api/v1/nodes',
  ]) {
    assert.ok(
      rows.some((r) => r.url === area || r.url === area.replace(/\/$/, '')),
      `${area} is in the table`,
    );
  }
  assert.ok(
    rows.some((r) => r.extension === 'notes'),
    'extension routes carry their extension id',
  );
  assert.ok(
    rows.some((r) => r.url.startsWith('/ext/donate')),
    'isolated blueprints are mounted',
  );
});

test('no session: /spc routes send to the login page, API routes answer 401, public routes answer', async () => {
  const anonymous = t.client();
  for (const row of routes()) {
    const url = concrete(row.url);
    const res = await anonymous.request(row.method, url);
    const where = `${row.method} ${row.url} (${row.access})`;
    if (row.access === 'public') {
      assert.notEqual(res.statusCode, 401, where);
      assert.ok(!String(res.headers.location ?? '').includes('/spc/auth/login'), `${where} must not need a login`);
    } else if (row.url.startsWith('/api/')) {
      assert.equal(res.statusCode, 401, where);
    } else {
      assert.equal(res.statusCode, 302, where);
      assert.match(String(res.headers.location), /^\/spc\/auth\/login\?next=/, where);
    }
  }
});

test("a non-admin user's session: admin routes answer 403, user routes let them in", async () => {
  for (const row of routes()) {
    if (row.url.startsWith('/api/')) continue;
    const res = await bob.request(row.method, concrete(row.url));
    const where = `${row.method} ${row.url} (${row.access})`;
    assert.ok(!String(res.headers.location ?? '').startsWith('/spc/auth/login'), `${where}: bob is logged in`);
    if (row.access === 'admin') {
      assert.equal(res.statusCode, 403, where);
      assert.match(res.body, /Only an admin can do this/, where);
    } else {
      assert.doesNotMatch(res.body, /Only an admin can do this/, where);
    }
  }
  const basic = `Basic ${Buffer.from('bob:bob password').toString('base64')}`;
  for (const row of routes().filter((r) => r.url.startsWith('/api/'))) {
    const res = await t.app.inject({ method: row.method as 'GET', url: concrete(row.url), headers: { authorization: basic } });
    const where = `${row.method} ${row.url} (${row.access})`;
    if (row.access === 'admin') assert.equal(res.statusCode, 403, where);
    else assert.notEqual(res.statusCode, 401, where);
  }
});

test('a foreign Host is refused on every route, before anything else runs (DNS rebinding)', async () => {
  for (const row of routes()) {
    const res = await t.app.inject({ method: row.method as 'GET', url: concrete(row.url), headers: { host: 'attacker.example:25441' } });
    assert.equal(res.statusCode, 403, `${row.method} ${row.url}`);
  }
  const ok = await t.app.inject({ method: 'GET', url: '/api/v1/health', headers: { host: 'localhost:25441' } });
  assert.equal(ok.statusCode, 200, 'localhost is accepted');
});

test('extension routes behind the dispatch route are in the table with the rule their options give, and answer by it', async (t) => {
  const app = await createTestSpecter({ extensions: [await fixturePackage('lifecycle')] });
  t.after(() => app.close());
  await app.setAuth('passwordonly', PASSWORD);
  const rows = app.app.routeTable.filter((r) => r.extension === 'lifecycle' && r.method !== 'HEAD');
  const rule = (method: string, url: string) => rows.find((r) => r.method === method && r.url === url)?.access;
  assert.equal(rule('GET', '/spc/ext/lifecycle/open'), 'public', 'login: false');
  assert.equal(rule('GET', '/spc/ext/lifecycle/'), 'user');
  assert.equal(rule('POST', '/spc/ext/lifecycle/hook'), 'user', 'csrf: false does not make a route public');
  assert.equal(rule('GET', '/spc/ext/lifecycle/static/*'), 'user');
  const anonymous = app.client();
  for (const row of rows) {
    const res = await anonymous.request(row.method, concrete(row.url));
    const toLogin = res.statusCode === 302 && String(res.headers.location).startsWith('/spc/auth/login');
    assert.equal(toLogin, row.access !== 'public', `${row.method} ${row.url} (${row.access}) answered ${res.statusCode}`);
  }
});

test('an app with a route that has no access rule does not start', async () => {
  const app = Fastify();
  await app.register(routeTable, { endpoints: new EndpointRegistry() });
  app.get('/ruled', { config: { access: 'public' } }, async () => 'ok');
  app.get('/forgotten', async () => 'oops');
  await assert.rejects(async () => {
    await app.ready();
  }, /Routes without an access rule: GET \/forgotten/);
});
