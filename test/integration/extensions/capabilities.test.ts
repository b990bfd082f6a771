import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { createTestSpecter } from '../../../src/testing/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

type Probe = { ok: boolean; code?: string; message?: string; value?: unknown; keys?: string[]; specter?: boolean };

async function setup() {
  const t = await createTestSpecter({ extensions: [await fixturePackage('prober')] });
  assert.equal(t.statuses().find((s) => s.id === 'prober')?.status, 'loaded', JSON.stringify(t.statuses().find((s) => s.id === 'prober')));
  await t.setAuth('usernamepassword', 'admin-pass-1');
  const bob = await t.addUser('bob', 'bob-pass-12');
  const carol = await t.addUser('carol', 'carol-pass-1');
  await t.activate('admin', 'prober');
  await t.activate(bob.id, 'prober');
  const client = await t.login('bob-pass-12', 'bob');
  const probe = async (name: string): Promise<Probe> => {
    const res = await client.get(`/spc/ext/prober/probe/${name}`, { accept: 'application/json' });
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body) as Probe;
  };
  return { t, bob, carol, probe };
}

test('a call outside the declared capabilities is refused with the capability to declare', async (ctx) => {
  const { t, probe } = await setup();
  ctx.after(() => t.close());
  for (const [name, capability] of [
    ['wallets', 'wallets:read'],
    ['reserve', 'addresses:reserve'],
    ['job', 'jobs'],
    ['inspect', 'extensions:inspect'],
    ['http_other_host', 'network:example.com'],
  ] as const) {
    const r = await probe(name);
    assert.equal(r.ok, false, name);
    assert.equal(r.code, 'SPECTER_ERR_EXT_CAPABILITY_MISSING', `${name}: ${r.message}`);
    assert.match(
      r.message!,
      new RegExp(`Plugin "prober" called ctx\\.[a-zA-Z.]+\\(.*\\), which needs the capability "${capability.replace('.', '\\.')}"`),
      name,
    );
  }
  assert.deepEqual(
    t.specter.extensionManager.scheduler.list().filter((j) => j.ext === 'prober'),
    [],
    'no job was added',
  );
});

test("another user's data, another plugin's files and the core's events are out of reach", async (ctx) => {
  const { t, probe, carol } = await setup();
  ctx.after(() => t.close());
  const admin = t.specter.userManager.admin;
  await t.specter.services.storage.forUser(admin).set('prober', false, { secret: "admin's value" });

  for (const name of ['other_user_storage', 'as_other_user', 'file_escape', 'file_absolute', 'fire_core_event']) {
    const r = await probe(name);
    assert.equal(r.ok, false, name);
    assert.equal(r.code, 'SPECTER_ERR_EXT_ACCESS_DENIED', `${name}: ${r.message}`);
    assert.doesNotMatch(JSON.stringify(r), /admin's value/, name);
  }
  // Its own data, for its own user, works; the admin's is untouched.
  assert.deepEqual((await probe('own_storage')).value, { count: 1 });
  assert.deepEqual(await t.specter.services.storage.forUser(admin).get('prober', false), { secret: "admin's value" });

  // Users: only those who activated it, and nothing but id, name and admin flag.
  const users = (await probe('users')).value as Array<Record<string, unknown>>;
  assert.deepEqual(users.map((u) => u.name).sort(), ['admin', 'bob']);
  for (const u of users) assert.deepEqual(Object.keys(u).sort(), ['id', 'isAdmin', 'name']);
  const req = await probe('request_user');
  assert.deepEqual(req.keys!.sort(), ['id', 'isAdmin', 'name'], 'the request user has no record (password hash)');
  assert.equal(req.specter, true, 'the app root is not on the request');

  // Background work (no request) may act only for users who activated the plugin.
  const prober = t.specter.extensionManager.get('prober')!;
  await assert.rejects(prober.ctx.storage.forUser(carol.id).get(), (err) => isSpecterError(err, 'EXT_ACCESS_DENIED'));
  await assert.rejects(
    prober.ctx.asUser(carol.id, () => 1),
    (err) => isSpecterError(err, 'EXT_ACCESS_DENIED'),
  );
  assert.deepEqual(await prober.ctx.storage.forUser(admin.id).get(), { secret: "admin's value" });
  // Without saying for whom, per-user calls outside a request are refused with the fix.
  await assert.rejects(prober.ctx.storage.get(), (err) => isSpecterError(err, 'EXT_NO_USER') && /ctx\.asUser/.test(err.hint ?? ''));
});

test('ctx.http reaches a declared host, with the time limit of the host client', async (ctx) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hello: 'prober' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ctx.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { t } = await setup();
  ctx.after(() => t.close());
  const prober = t.specter.extensionManager.get('prober')!;
  const port = (server.address() as AddressInfo).port;
  const res = await prober.ctx.http.request(`http://127.0.0.1:${port}/`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { hello: 'prober' });
  await assert.rejects(
    prober.ctx.http.request(`http://127.0.0.1:${port}/slow`, { timeoutMs: 100 }),
    (err) => isSpecterError(err, 'NET_TIMEOUT') && /plugin prober: no answer from http:\/\/127\.0\.0\.1:\d+\/slow within 100 ms/.test(err.message),
  );
  await assert.rejects(prober.ctx.http.request('file:///etc/passwd'), (err) => isSpecterError(err, 'VALIDATION'));
});
