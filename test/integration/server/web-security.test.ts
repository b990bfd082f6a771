/**
 * Review findings of the web layer, one test each: guards decide on the matched route (not the raw,
 * still percent-encoded URL), the JSON API refuses cross-site browser requests, `next` never
 * breaks the Location header, concurrent user creation cannot duplicate a username.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, TEST_DESCRIPTORS } from '../../../src/testing/index.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { fixturePackage } from '../../helpers/ext-packages.js';

const PASSWORD = 'review password';

test('a percent-encoded path gets the login guard and the CSRF check like its plain form', async () => {
  const t = await createTestSpecter();
  try {
    const wallet = await t.createWallet('Keep Me', TEST_DESCRIPTORS.singleSig);
    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

    // Auth mode "none" (every request is the admin): a cross-site form post without a CSRF token.
    const csrf = await t.app.inject({ method: 'POST', url: `/%73pc/wallets/${wallet.alias}/delete`, headers: form, payload: 'confirm=yes' });
    assert.equal(csrf.statusCode, 403);
    await t.specter.walletManager.get(wallet.alias);

    await t.setAuth('passwordonly', PASSWORD);

    // Not logged in: "/%73pc/…" is routed to the "/spc/…" handler, so it must be guarded as one.
    const page = await t.app.inject({ method: 'GET', url: '/%73pc/settings/general', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 302);
    assert.match(String(page.headers.location), /^\/spc\/auth\/login\?next=/);
    const del = await t.app.inject({ method: 'POST', url: `/%73pc/wallets/${wallet.alias}/delete`, headers: form, payload: 'confirm=yes' });
    assert.equal(del.statusCode, 302);
    assert.match(String(del.headers.location), /^\/spc\/auth\/login/);
    await t.specter.walletManager.get(wallet.alias);

    // Logged in, but no CSRF token: refused however the path is spelt.
    const client = await t.login(PASSWORD);
    const forged = await client.request('POST', `/spc/wallets/${wallet.alias.replace(/k/g, '%6b')}/delete`, { form: { confirm: 'yes' } });
    assert.equal(forged.statusCode, 403);
    await t.specter.walletManager.get(wallet.alias);
    // The real form still works.
    await client.get(`/spc/wallets/${wallet.alias}/delete`);
    assert.equal((await client.post(`/spc/wallets/${wallet.alias}/delete`, { confirm: 'yes' })).statusCode, 302);
    await assert.rejects(t.specter.walletManager.get(wallet.alias), (err) => isSpecterError(err, 'WALLET_NOT_FOUND'));
  } finally {
    await t.close();
  }
});

test('the per-user extension gate cannot be passed by percent-encoding the extension id', async () => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper')] });
  try {
    await t.setAuth('usernamepassword', PASSWORD);
    await t.specter.userManager.addUser('bob', 'bob password');
    const bob = await t.login('bob password', 'bob');
    assert.equal((await bob.get('/spc/ext/gatekeeper/')).statusCode, 404);
    for (const url of ['/spc/%65xt/gatekeeper/', '/spc/ext/%67atekeeper/']) {
      const encoded = await bob.get(url);
      assert.equal(encoded.statusCode, 404, url);
      assert.match(encoded.body, /SPECTER_ERR_EXT_NOT_FOUND/, url);
    }
    await bob.get('/spc/welcome/');
    assert.equal((await bob.post('/spc/%65xt/gatekeeper/echo', { value: 'x' })).statusCode, 404);
  } finally {
    await t.close();
  }
});

test('the JSON API refuses requests a browser sends for another site (no credentials in auth mode "none")', async () => {
  const t = await createTestSpecter();
  try {
    const formPost = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/wallets',
        headers: { 'content-type': 'application/x-www-form-urlencoded', host: '127.0.0.1:25441', ...headers },
        payload: new URLSearchParams({ name: 'Planted', descriptor: TEST_DESCRIPTORS.singleSig }).toString(),
      });
    const browsers: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:8080' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of browsers) {
      const res = await formPost(headers);
      assert.equal(res.statusCode, 403, JSON.stringify(headers));
      assert.equal(res.json().error.code, 'SPECTER_ERR_CSRF_INVALID');
    }
    assert.equal((await t.specter.walletManager.list()).length, 0, 'nothing was created');
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/wallets', headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(read.statusCode, 403);

    // Scripts (no browser headers), the same origin and a typed-in address still work.
    assert.equal((await formPost({})).statusCode, 201);
    const sameOrigin = await t.app.inject({
      method: 'GET',
      url: '/api/v1/wallets',
      headers: { host: '127.0.0.1:25441', origin: 'http://127.0.0.1:25441' },
    });
    assert.equal(sameOrigin.statusCode, 200);
    const typed = await t.app.inject({ method: 'GET', url: '/api/v1/wallets', headers: { 'sec-fetch-site': 'none' } });
    assert.equal(typed.statusCode, 200);
    assert.equal(typed.json().wallets.length, 1);
  } finally {
    await t.close();
  }
});

test('a "next" that cannot be a Location header (CR/LF, non-Latin-1) falls back to the start page instead of a 500', async () => {
  const t = await createTestSpecter();
  try {
    await t.setAuth('passwordonly', PASSWORD);
    const client = await t.login(PASSWORD);
    for (const next of ['/spc/%0d%0aSet-Cookie:%20x=1', '/spc/%C4%80', '/spc/%E2%9C%93', '/spc/%09x']) {
      const res = await client.get(`/spc/auth/login?next=${next}`);
      assert.equal(res.statusCode, 302, next);
      assert.equal(res.headers.location, '/spc/', next);
    }
    const fine = await client.get(`/spc/auth/login?next=${encodeURIComponent('/spc/wallets/?page=2')}`);
    assert.equal(fine.headers.location, '/spc/wallets/?page=2');
  } finally {
    await t.close();
  }
});

test('two concurrent "add user" requests for one name create one user', async () => {
  const t = await createTestSpecter();
  try {
    const users = t.specter.userManager;
    const results = await Promise.allSettled([users.addUser('carol', 'carol password'), users.addUser('carol', 'other password')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(refused && isSpecterError(refused.reason, 'USER_EXISTS'));
    assert.equal(users.list().filter((u) => u.username === 'carol').length, 1);
  } finally {
    await t.close();
  }
});

test("logout and a password change end the user's other sessions; passwordonly accepts only the admin", async () => {
  const t = await createTestSpecter();
  try {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('carol', 'carol password');
    const first = await t.login('carol password', 'carol');
    const second = await t.login('carol password', 'carol');
    assert.equal((await second.get('/spc/welcome/')).statusCode, 200);
    await first.post('/spc/auth/logout');
    assert.equal((await second.get('/spc/welcome/')).statusCode, 302, 'a copied or second cookie stops working after logout');

    const a = await t.login('carol password', 'carol');
    const b = await t.login('carol password', 'carol');
    await a.get('/spc/settings/auth');
    const changed = await a.post('/spc/settings/auth', {
      action: 'change_password',
      current_password: 'carol password',
      new_password: 'carol new pw',
      new_password_confirm: 'carol new pw',
    });
    assert.equal(changed.statusCode, 302);
    assert.equal((await a.get('/spc/welcome/')).statusCode, 200, 'the browser that changed it stays logged in');
    assert.equal((await b.get('/spc/welcome/')).statusCode, 302, 'other sessions end with the old password');

    const admin = await t.login('admin password', 'admin');
    await admin.get('/spc/settings/auth');
    await admin.post('/spc/settings/auth', { auth_method: 'passwordonly' });
    assert.equal(t.specter.authMethod, 'passwordonly');
    assert.equal((await a.get('/spc/welcome/')).statusCode, 302, 'a non-admin session is not accepted in passwordonly');
    assert.equal((await admin.get('/spc/welcome/')).statusCode, 200);
  } finally {
    await t.close();
  }
});
