import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { observeKdf, PASSWORD_HASH_ITERATIONS, USER_SECRET_ITERATIONS } from '../../../src/persistence/index.js';
import { basic, dataApi, storageFixtures } from '../extensions/storage/helpers.js';

/**
 * Findings 5 and 7 of issue 9, and the API tokens: the Basic limiter holds against a concurrent
 * burst, unknown usernames cost the same work as known ones (counted KDF calls, never time), a
 * successful Basic check is cached, and tokens authenticate without any derivation.
 */

const ADMIN_PW = 'admin password 1';
const BOB_PW = 'bob password 1';

async function app(config: Record<string, unknown> = {}, extensions: string[] = []): Promise<TestSpecter> {
  const t = await createTestSpecter({ config: { LOAD_BUILTIN_EXTENSIONS: false, ...config }, extensions });
  await t.setAuth('usernamepassword', ADMIN_PW);
  await t.specter.userManager.addUser('bob', BOB_PW);
  return t;
}

/** Counts the derivations `fn` starts, by iteration count. */
async function kdfCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number[] }> {
  const calls: number[] = [];
  const stop = observeKdf((c) => calls.push(c.iterations));
  try {
    return { result: await fn(), calls };
  } finally {
    stop();
  }
}

const get = (t: TestSpecter, url: string, authorization?: string): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

test('a concurrent burst of wrong Basic passwords checks no more passwords than the limit', async () => {
  const t = await app({ LOGIN_RATE_LIMIT: 5 });
  try {
    const { result, calls } = await kdfCalls(() =>
      Promise.all(Array.from({ length: 60 }, (_, i) => get(t, '/api/v1/wallets', basic('bob', `guess ${i}`)))),
    );
    const codes = result.map((r) => r.statusCode);
    assert.equal(calls.length, 5, `password checks run: ${calls.length}`);
    assert.equal(codes.filter((c) => c === 401).length, 5);
    assert.equal(codes.filter((c) => c === 429).length, 55);
    // Still blocked for the right password now: the failures fill the window.
    assert.equal((await get(t, '/api/v1/wallets', basic('bob', BOB_PW))).statusCode, 429);
  } finally {
    await t.close();
  }
});

test('an unknown username costs the same derivation as a known one with a wrong password', async () => {
  const t = await app();
  try {
    const unknown = await kdfCalls(() => get(t, '/api/v1/wallets', basic('nobody', 'wrong')));
    const known = await kdfCalls(() => get(t, '/api/v1/wallets', basic('bob', 'wrong')));
    assert.equal(unknown.result.statusCode, 401);
    assert.equal(known.result.statusCode, 401);
    assert.deepEqual(unknown.calls, [PASSWORD_HASH_ITERATIONS]);
    assert.deepEqual(known.calls, unknown.calls);
    assert.equal(unknown.result.body.replace(/"requestId":"[^"]*"/, ''), known.result.body.replace(/"requestId":"[^"]*"/, ''), 'same answer');
  } finally {
    await t.close();
  }
});

test('a successful Basic check is cached: the next request runs no derivation; a password change ends it', async () => {
  const t = await app();
  try {
    const first = await kdfCalls(() => get(t, '/api/v1/wallets', basic('bob', BOB_PW)));
    assert.equal(first.result.statusCode, 200);
    assert.deepEqual(first.calls, [PASSWORD_HASH_ITERATIONS]);
    const burst = await kdfCalls(() => Promise.all(Array.from({ length: 20 }, () => get(t, '/api/v1/wallets', basic('bob', BOB_PW)))));
    assert.ok(burst.result.every((r) => r.statusCode === 200));
    assert.deepEqual(burst.calls, [], 'cached: no derivation');

    await t.specter.userManager.setPassword('bob', 'bob new password', BOB_PW);
    assert.equal((await get(t, '/api/v1/wallets', basic('bob', BOB_PW))).statusCode, 401, 'the old password no longer works');
    assert.equal((await get(t, '/api/v1/wallets', basic('bob', 'bob new password'))).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('concurrent identical cold requests share one password check', async () => {
  const t = await app({ LOGIN_RATE_LIMIT: 3 });
  try {
    const { result, calls } = await kdfCalls(() => Promise.all(Array.from({ length: 10 }, () => get(t, '/api/v1/wallets', basic('bob', BOB_PW)))));
    assert.ok(
      result.every((r) => r.statusCode === 200),
      result.map((r) => r.statusCode).join(','),
    );
    assert.deepEqual(calls, [PASSWORD_HASH_ITERATIONS]);
  } finally {
    await t.close();
  }
});

test('API tokens: Bearer and "token" headers work with no derivation; read scope is GET only; revoked tokens fail', async () => {
  const t = await app();
  try {
    const bob = t.specter.userManager.getByUsername('bob')!;
    const full = await t.specter.apiTokens.create(bob, 'script', 'full');
    const read = await t.specter.apiTokens.create(bob, 'monitor', 'read');
    const { result, calls } = await kdfCalls(() =>
      Promise.all([get(t, '/api/v1/wallets', `Bearer ${full.token}`), get(t, '/api/v1/wallets', `token ${read.token}`)]),
    );
    assert.deepEqual(
      result.map((r) => r.statusCode),
      [200, 200],
    );
    assert.deepEqual(calls, [], 'a token check runs no key derivation');

    const post = (authorization: string) => t.app.inject({ method: 'POST', url: '/api/v1/wallets', headers: { authorization }, payload: {} });
    const denied = await post(`Bearer ${read.token}`);
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().error.code, 'SPECTER_ERR_AUTH_FORBIDDEN');
    assert.equal((await post(`Bearer ${full.token}`)).statusCode, 400, 'a full token reaches the handler (which rejects the empty body)');

    await t.specter.apiTokens.revoke(bob, full.id);
    const revoked = await get(t, '/api/v1/wallets', `Bearer ${full.token}`);
    assert.equal(revoked.statusCode, 401);
    assert.equal(revoked.json().error.code, 'SPECTER_ERR_AUTH_FAILED');
    assert.equal((await get(t, '/api/v1/wallets', `Bearer spc_000000000000_${'A'.repeat(43)}`)).statusCode, 401);
  } finally {
    await t.close();
  }
});

test("a deleted user's tokens stop working and do not come back for a re-created name", async () => {
  const t = await app();
  try {
    const bob = t.specter.userManager.getByUsername('bob')!;
    const { token } = await t.specter.apiTokens.create(bob, 'script', 'full');
    const admin = await t.login(ADMIN_PW, 'admin');
    await admin.get('/spc/settings/auth');
    const del = await admin.post(`/spc/settings/users/${bob.id}/delete`);
    assert.equal(del.statusCode, 302);
    await t.specter.userManager.addUser('bob', BOB_PW);
    assert.equal((await get(t, '/api/v1/wallets', `Bearer ${token}`)).statusCode, 401);
    assert.deepEqual(t.specter.apiTokens.list(t.specter.userManager.getByUsername('bob')!), []);
  } finally {
    await t.close();
  }
});

test("passwordonly: only the admin's tokens count", async () => {
  const t = await app();
  try {
    const bob = t.specter.userManager.getByUsername('bob')!;
    const bobs = await t.specter.apiTokens.create(bob, 'b', 'full');
    const admins = await t.specter.apiTokens.create(t.specter.userManager.admin, 'a', 'read');
    await t.setAuth('passwordonly');
    assert.equal((await get(t, '/api/v1/wallets', `Bearer ${bobs.token}`)).statusCode, 401);
    assert.equal((await get(t, '/api/v1/wallets', `Bearer ${admins.token}`)).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('encrypted extension data: a token cannot unlock it; Basic unwraps the secret once and reuses it from memory', async () => {
  const t = await app({}, await storageFixtures());
  try {
    const auth = basic('bob', BOB_PW);
    // Bob logs in once through the UI: that creates his user secret.
    await t.login(BOB_PW, 'bob');
    t.specter.userManager.lock('bob');
    const bob = t.specter.userManager.getByUsername('bob')!;
    const { token } = await t.specter.apiTokens.create(bob, 'script', 'full');
    const byToken = await dataApi(t, 'GET', 'storage_secret', { auth: `Bearer ${token}` });
    assert.equal(byToken.statusCode, 403);
    assert.match(byToken.json().error.message, /token cannot unlock/);

    const put = await kdfCalls(() => dataApi(t, 'PUT', 'storage_secret', { auth, json: { v: 1 } }));
    assert.equal(put.result.statusCode, 200, put.result.body);
    assert.equal(put.calls.filter((n) => n === USER_SECRET_ITERATIONS).length, 1);
    const again = await kdfCalls(() => Promise.all(Array.from({ length: 5 }, () => dataApi(t, 'GET', 'storage_secret', { auth }))));
    assert.ok(again.result.every((r) => r.statusCode === 200 && r.json().v === 1));
    assert.deepEqual(again.calls, [], 'neither the password check nor the unwrap ran again');
    assert.equal(t.specter.userManager.secretOf('bob'), undefined, 'the vault of the web UI stays locked');
  } finally {
    await t.close();
  }
});

test('login form: an unknown username costs the same derivation as a wrong password', async () => {
  const t = await app();
  try {
    const attempt = async (username: string) => {
      const client = t.client();
      await client.get('/spc/auth/login');
      return kdfCalls(() => client.post('/spc/auth/login', { username, password: 'wrong' }));
    };
    const unknown = await attempt('nobody');
    const known = await attempt('bob');
    assert.equal(unknown.result.statusCode, 401);
    assert.equal(known.result.statusCode, 401);
    assert.deepEqual(unknown.calls, [PASSWORD_HASH_ITERATIONS]);
    assert.deepEqual(known.calls, unknown.calls);
  } finally {
    await t.close();
  }
});
