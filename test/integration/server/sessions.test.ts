import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';

test('a deleted user whose name is created again does not inherit the old sessions', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.setAuth('usernamepassword', 'admin password');
  const users = t.specter.userManager;
  await users.addUser('carol', 'carol password');
  const carol = await t.login('carol password', 'carol');
  assert.equal((await carol.get('/spc/welcome/')).statusCode, 200, 'logged in');
  const old = users.getByUsername('carol')!;
  await users.deleteUser(old.id);
  await users.addUser('carol', 'carol password');
  assert.notEqual(users.getByUsername('carol')!.creationId, old.creationId);
  const res = await carol.get('/spc/welcome/');
  assert.equal(res.statusCode, 302, 'the old cookie no longer counts');
  assert.match(String(res.headers.location), /^\/spc\/auth\/login/);
});

test('the CSRF secret rotates at login: a token from before the login is refused after it', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'a password');
  const client = t.client();
  await client.get('/spc/auth/login');
  const before = client.csrfToken!;
  assert.ok(before);
  const login = await client.request('POST', '/spc/auth/login', { form: { csrf_token: before, password: 'a password' } });
  assert.equal(login.statusCode, 302);
  const stale = await client.request('POST', '/spc/settings/general', { form: { csrf_token: before, unit: 'sat' } });
  assert.equal(stale.statusCode, 403, 'the pre-login token is worthless');
  assert.equal(t.specter.configManager.values.unit, 'btc');
  await client.get('/spc/settings/general');
  assert.notEqual(client.csrfToken, before);
  const fresh = await client.request('POST', '/spc/settings/general', { form: { csrf_token: client.csrfToken!, unit: 'sat' } });
  assert.equal(fresh.statusCode, 302);
  assert.equal(t.specter.configManager.values.unit, 'sat');
});
