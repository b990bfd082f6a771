import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';

/** Settings → API tokens: create (shown once), list, revoke; a refused form keeps the input. */

const ADMIN_PW = 'admin password 1';
const BOB_PW = 'bob password 1';
let t: TestSpecter;

before(async () => {
  t = await createTestSpecter({ config: { LOAD_BUILTIN_EXTENSIONS: false } });
  await t.setAuth('usernamepassword', ADMIN_PW);
  await t.specter.userManager.addUser('bob', BOB_PW);
});
after(async () => t.close());

const api = (authorization: string) => t.app.inject({ method: 'GET', url: '/api/v1/wallets', headers: { authorization } });

test('the settings tab bar links the tokens page; a new user has none', async () => {
  const bob = await t.login(BOB_PW, 'bob');
  const page = await bob.get('/spc/settings/tokens');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /href="\/spc\/settings\/tokens"[^>]*>API tokens</);
  assert.match(page.body, /id="token-list-empty"/);
  assert.match((await bob.get('/spc/settings/general')).body, /API tokens/);
});

test('create: the token is shown once and works; the list shows name and scope; revoke ends it', async () => {
  const bob = await t.login(BOB_PW, 'bob');
  await bob.get('/spc/settings/tokens');
  const created = await bob.post('/spc/settings/tokens', { name: 'nightly backup', scope: 'read' });
  assert.equal(created.statusCode, 200);
  assert.equal(created.headers['cache-control'], 'no-store');
  const token = /id="new-token-value">(spc_[^<]+)</.exec(created.body)?.[1];
  assert.ok(token, 'the token is on the page');
  assert.equal((await api(`Bearer ${token}`)).statusCode, 200);

  const list = await bob.get('/spc/settings/tokens');
  assert.ok(!list.body.includes(token), 'never shown again');
  assert.match(list.body, /<td>nightly backup<\/td><td>read<\/td>/);
  const id = token.split('_')[1]!;

  // Another user cannot revoke it.
  const admin = await t.login(ADMIN_PW, 'admin');
  await admin.get('/spc/settings/tokens');
  assert.equal((await admin.post(`/spc/settings/tokens/${id}/revoke`)).statusCode, 404);
  assert.equal((await api(`Bearer ${token}`)).statusCode, 200);

  const revoke = await bob.post(`/spc/settings/tokens/${id}/revoke`);
  assert.equal(revoke.statusCode, 302);
  assert.match((await bob.get('/spc/settings/tokens')).body, /API token &quot;nightly backup&quot; revoked|API token "nightly backup" revoked/);
  assert.equal((await api(`Bearer ${token}`)).statusCode, 401);
});

test('a refused form is shown again with the error and the input; nothing is created', async () => {
  const bob = await t.login(BOB_PW, 'bob');
  await bob.get('/spc/settings/tokens');
  const before = t.specter.apiTokens.list(t.specter.userManager.getByUsername('bob')!).length;
  const res = await bob.post('/spc/settings/tokens', { name: 'x'.repeat(70), scope: 'full' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /id="form-error"/);
  assert.match(res.body, /1 to 64 characters/);
  assert.match(res.body, new RegExp(`value="${'x'.repeat(70)}"`));
  assert.match(res.body, /<option value="full" selected>/);
  assert.equal(t.specter.apiTokens.list(t.specter.userManager.getByUsername('bob')!).length, before);
});

test('creating a token needs the CSRF token and a session', async () => {
  const anonymous = await t.app.inject({ method: 'GET', url: '/spc/settings/tokens' });
  assert.equal(anonymous.statusCode, 302);
  const bob = await t.login(BOB_PW, 'bob');
  const noCsrf = await bob.request('POST', '/spc/settings/tokens', { form: { name: 'x', scope: 'read' } });
  assert.equal(noCsrf.statusCode, 403);
});
