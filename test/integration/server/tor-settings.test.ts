import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { freePort, startFeeServer } from '../../helpers/tor.js';

/**
 * Settings → Tor (admin only) and the APIs that go with it: form errors come back with the input,
 * a custom Tor that does not answer is not saved, the onion service is refused in auth "none", the
 * fee source setting reaches `GET /api/v1/fees` through the host HTTP client. No tor process here
 * (see test/integration/tor/ for the real daemon).
 */

const ADMIN_PW = 'admin password 1';
const BOB_PW = 'bob password 1';
let t: TestSpecter;

before(async () => {
  t = await createTestSpecter({ config: { LOAD_BUILTIN_EXTENSIONS: false } });
  await t.setAuth('usernamepassword', ADMIN_PW);
  await t.specter.userManager.addUser('bob', BOB_PW);
});
after(async () => t.close());

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

test('admins get the Tor tab and page; other users neither', async () => {
  const admin = await t.login(ADMIN_PW, 'admin');
  const page = await admin.get('/spc/settings/tor');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /href="\/spc\/settings\/tor"[^>]*>Tor</);
  assert.match(page.body, /id="tor-state">off</);
  assert.match(page.body, /<option value="none" selected>/);
  const bob = await t.login(BOB_PW, 'bob');
  assert.equal((await bob.get('/spc/settings/tor')).statusCode, 403);
  assert.doesNotMatch((await bob.get('/spc/settings/general')).body, /href="\/spc\/settings\/tor"/);
});

test('GET /api/v1/tor: the status for admins, 403 for others', async () => {
  const res = await t.app.inject({ url: '/api/v1/tor', headers: { authorization: basic('admin', ADMIN_PW) } });
  assert.equal(res.statusCode, 200);
  const status = res.json();
  assert.equal(status.type, 'none');
  assert.equal(status.running, false);
  assert.equal(status.onion_address, null);
  const bob = await t.app.inject({ url: '/api/v1/tor', headers: { authorization: basic('bob', BOB_PW) } });
  assert.equal(bob.statusCode, 403);
});

test('a refused form comes back with the error and the input; nothing is saved', async () => {
  const admin = await t.login(ADMIN_PW, 'admin');
  await admin.get('/spc/settings/tor');
  const onlyTor = await admin.post('/spc/settings/tor', {
    tor_type: 'none',
    only_tor: 'on',
    proxy_url: '',
    tor_control_port: '',
    tor_control_password: '',
    tor_cookie_file: '',
    tor_path: '',
  });
  assert.equal(onlyTor.statusCode, 400);
  assert.match(onlyTor.body, /&quot;Only Tor&quot; needs Tor|"Only Tor" needs Tor/);

  // A custom Tor whose control port does not answer: the error names it; the typed URL is kept.
  const dead = await freePort();
  const custom = await admin.post('/spc/settings/tor', {
    tor_type: 'custom',
    proxy_url: `socks5h://127.0.0.1:${dead}`,
    tor_control_port: String(dead),
    tor_control_password: 'typed secret',
    tor_cookie_file: '',
    tor_path: '',
  });
  assert.equal(custom.statusCode, 400);
  assert.match(custom.body, /SPECTER_ERR_TOR_CONTROL_UNREACHABLE/);
  assert.match(custom.body, new RegExp(`value="socks5h://127.0.0.1:${dead}"`));
  assert.ok(!custom.body.includes('typed secret'), 'the password is never sent back');
  assert.equal(t.specter.configManager.values.tor_type, 'none');

  const badPort = await admin.post('/spc/settings/tor', {
    tor_type: 'custom',
    proxy_url: '',
    tor_control_port: 'abc',
    tor_control_password: '',
    tor_cookie_file: '',
    tor_path: '',
  });
  assert.equal(badPort.statusCode, 400);
  assert.match(badPort.body, /Control port &quot;abc&quot;|Control port "abc"/);
});

test('the onion service is refused while auth is "none"', async () => {
  await t.setAuth('none');
  try {
    const client = t.client();
    const page = await client.get('/spc/settings/tor');
    assert.match(page.body, /id="onion-needs-auth"/);
    const res = await client.post('/spc/settings/tor/action', { action: 'publish' });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /SPECTER_ERR_TOR_HIDDEN_SERVICE_REFUSED/);
  } finally {
    await t.setAuth('usernamepassword', ADMIN_PW);
  }
});

test('fee source: custom server through the host client answers GET /api/v1/fees; a bad URL is a form error', async (tc) => {
  const server = await startFeeServer(tc);
  const admin = await t.login(ADMIN_PW, 'admin');
  await admin.get('/spc/settings/tor');
  const bad = await admin.post('/spc/settings/tor/fees', { fee_estimator: 'custom', fee_estimator_custom_url: 'ftp://x' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /needs an http\(s\) URL/);
  assert.match(bad.body, /value="ftp:\/\/x"/);

  const saved = await admin.post('/spc/settings/tor/fees', { fee_estimator: 'custom', fee_estimator_custom_url: server.url });
  assert.equal(saved.statusCode, 302);
  const fees = await t.app.inject({ url: '/api/v1/fees', headers: { authorization: basic('bob', BOB_PW) } });
  assert.equal(fees.statusCode, 200);
  assert.deepEqual(fees.json(), { fast: 21, medium: 13, slow: 8, minimum: 2, source: 'custom', notice: null });
  assert.deepEqual(server.peers, ['127.0.0.1']);
  await t.specter.configManager.update({ fee_estimator: 'bitcoin_core' });
  t.specter.feeSource.clear();
});
