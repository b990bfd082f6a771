import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';

let t: TestSpecter;
before(async () => {
  t = await createTestSpecter();
});
after(async () => t.close());

test('a fresh data folder serves the welcome page through the / redirect, with no password', async () => {
  const client = t.client();
  const root = await client.get('/');
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/spc/');
  const spc = await client.follow(root);
  assert.equal(spc.statusCode, 302);
  const welcome = await client.follow(spc);
  assert.equal(welcome.statusCode, 200);
  assert.match(welcome.body, /Welcome to Specter TS/);
  assert.equal(t.specter.authMethod, 'none');
});

test('health is public and reports the version; other API routes need credentials once a password is set', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok', version: t.specter.version });
});

test('a POST without CSRF token is refused with 403 and changes nothing', async () => {
  const client = t.client();
  await client.get('/spc/settings/general');
  const res = await client.request('POST', '/spc/settings/general', { form: { unit: 'sat' } });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /CSRF/);
  assert.equal(t.specter.configManager.values.unit, 'btc');
  const forged = await client.request('POST', '/spc/settings/general', { form: { unit: 'sat', csrf_token: 'forged' } });
  assert.equal(forged.statusCode, 403);
  const ok = await client.post('/spc/settings/general', { unit: 'sat' });
  assert.equal(ok.statusCode, 302);
  assert.equal(t.specter.configManager.values.unit, 'sat');
});

test('unknown routes get a 404 page inside the layout', async () => {
  const res = await t.client().get('/spc/no/such/page');
  assert.equal(res.statusCode, 404);
  assert.match(res.body, /Page not found/);
  assert.match(res.body, /class="sidebar"/);
  assert.match(res.body, /SPECTER_ERR_NOT_FOUND/);
});

test('session cookie is HttpOnly, SameSite=Strict and scoped to /spc; security headers are set', async () => {
  const res = await t.client().get('/spc/settings/general');
  const setCookie = String(res.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Strict/i);
  assert.match(setCookie, /Path=\/spc/);
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
});

test('passwordonly: set password, log out, wrong password is refused, right one logs in', async () => {
  const admin = t.client();
  await admin.get('/spc/settings/auth');
  const mismatch = await admin.post('/spc/settings/auth', {
    auth_method: 'passwordonly',
    specter_password: 'correct horse',
    specter_password_confirm: 'other',
  });
  assert.equal(mismatch.statusCode, 302);
  assert.equal(t.specter.authMethod, 'none', 'mismatched passwords change nothing');
  const set = await admin.post('/spc/settings/auth', {
    auth_method: 'passwordonly',
    specter_password: 'correct horse',
    specter_password_confirm: 'correct horse',
  });
  assert.equal(set.statusCode, 302);
  assert.equal(t.specter.authMethod, 'passwordonly');
  assert.ok(t.specter.userManager.secretOf('admin'), 'setting the password unlocks the admin secret');

  const out = await admin.post('/spc/auth/logout');
  assert.equal(out.statusCode, 302);
  assert.equal(t.specter.userManager.secretOf('admin'), undefined, 'logout drops the secret');
  const locked = await admin.get('/spc/welcome/');
  assert.equal(locked.statusCode, 302);
  assert.match(String(locked.headers.location), /^\/spc\/auth\/login\?next=/);

  const wrong = await admin.post('/spc/auth/login', { password: 'wrong' });
  assert.equal(wrong.statusCode, 401);
  assert.match(wrong.body, /Wrong password/);
  assert.equal((await admin.get('/spc/welcome/')).statusCode, 302, 'no session after a wrong password');

  const right = await admin.post('/spc/auth/login', { password: 'correct horse', next: '/spc/settings/general' });
  assert.equal(right.statusCode, 302);
  assert.equal(right.headers.location, '/spc/settings/general');
  assert.equal((await admin.get('/spc/welcome/')).statusCode, 200);

  const offsite = await admin.post('/spc/auth/login', { password: 'correct horse', next: '//evil.example/' });
  assert.equal(offsite.headers.location, '/spc/', 'next never leaves the app');
});

test('API needs HTTP Basic with the password once auth is on', async () => {
  const none = await t.app.inject({ method: 'GET', url: '/api/v1/nothing' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().error.code, 'SPECTER_ERR_AUTH_REQUIRED');
  const auth = `Basic ${Buffer.from('admin:correct horse').toString('base64')}`;
  const ok = await t.app.inject({ method: 'GET', url: '/api/v1/nothing', headers: { authorization: auth } });
  assert.equal(ok.statusCode, 404, 'authenticated, then the unknown route is a 404');
  const bad = await t.app.inject({
    method: 'GET',
    url: '/api/v1/nothing',
    headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
  });
  assert.equal(bad.statusCode, 401);
});

test('usernamepassword: admin adds a user who logs in and may not change auth settings', async () => {
  const admin = await t.login('correct horse');
  await admin.get('/spc/settings/auth');
  await admin.post('/spc/settings/auth', { auth_method: 'usernamepassword' });
  assert.equal(t.specter.authMethod, 'usernamepassword');
  await admin.post('/spc/settings/users', { username: 'bob', password: 'bobs password' });
  assert.ok(t.specter.userManager.getByUsername('bob'));
  const dup = await admin.post('/spc/settings/users', { username: 'bob', password: 'bobs password' });
  assert.match((await admin.follow(dup)).body, /already exists/);
  const badName = await admin.post('/spc/settings/users', { username: '../etc', password: 'whatever12' });
  assert.match((await admin.follow(badName)).body, /is not allowed/);

  const bob = await t.login('bobs password', 'bob');
  assert.ok(t.specter.userManager.secretOf('bob'));
  const forbidden = await bob.post('/spc/settings/auth', { auth_method: 'none' });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(t.specter.authMethod, 'usernamepassword');
});

test('switching to none asks first, names what goes, then removes secrets and empties encrypted data', async () => {
  const file = path.join(t.dataFolder, 'users', 'admin', 'services.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ someext: 'gAAAAA-token', encrypted_storage_version: 1 }));
  const unencrypted = path.join(t.dataFolder, 'users', 'admin', 'unencrypted_services.json');
  await fs.writeFile(unencrypted, JSON.stringify({ other: '{"a":1}', encrypted_storage_version: 1 }));
  const admin = await t.login('correct horse', 'admin');
  const ask = await admin.post('/spc/settings/auth', { auth_method: 'none' });
  assert.equal(ask.statusCode, 302);
  assert.equal(t.specter.authMethod, 'usernamepassword', 'nothing changes before confirmation');
  const page = await admin.follow(ask);
  assert.match(page.body, /Turn off authentication\?/);
  assert.match(page.body, /users\/admin\/services\.json/);
  const done = await admin.post('/spc/settings/auth/confirm', { confirm: 'yes' });
  assert.equal(done.statusCode, 302);
  assert.equal(t.specter.authMethod, 'none');
  assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { encrypted_storage_version: 1 });
  assert.equal(JSON.parse(await fs.readFile(unencrypted, 'utf8')).other, '{"a":1}', 'unencrypted data stays');
  for (const u of t.specter.userManager.list()) assert.equal(u.record.encrypted_user_secret, null);
  assert.equal(t.specter.userManager.secretOf('admin'), undefined);
});
