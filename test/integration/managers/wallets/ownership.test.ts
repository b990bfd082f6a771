/**
 * Over HTTP: the wallet routes, registered once at start-up, act for whoever makes each request.
 * Two users in `usernamepassword` neither see nor delete each other's wallets, and a duplicate
 * wallet is a 409.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestSpecter, type TestSpecter } from '../../../../src/testing/index.js';
import { KEY } from './helpers.js';

const MULTI = `wsh(sortedmulti(2,${KEY.abandon}/<0;1>/*,${KEY.legal}/<0;1>/*,${KEY.letter}/<0;1>/*))`;

function api(t: TestSpecter, method: 'GET' | 'POST', url: string, auth: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(auth).toString('base64')}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method, url, headers, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
}

test('two users over the JSON API: each lists and reads only their own wallets; a duplicate is 409', async () => {
  const t = await createTestSpecter();
  try {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('alice', 'alice password');
    await t.specter.userManager.addUser('bob', 'bobs password');
    const alice = 'alice:alice password';
    const bob = 'bob:bobs password';

    const made = await api(t, 'POST', '/api/v1/wallets', alice, { name: 'Vault', descriptor: MULTI });
    assert.equal(made.statusCode, 201, made.body);
    assert.deepEqual((await api(t, 'GET', '/api/v1/wallets', bob)).json().wallets, []);
    assert.equal((await api(t, 'GET', '/api/v1/wallets/vault', bob)).statusCode, 404);
    assert.equal((await api(t, 'POST', '/api/v1/wallets/vault/receive', bob)).statusCode, 404);
    assert.deepEqual((await api(t, 'GET', '/api/v1/wallets', 'admin:admin password')).json().wallets, []);
    assert.deepEqual(
      (await api(t, 'GET', '/api/v1/wallets', alice)).json().wallets.map((w: { alias: string }) => w.alias),
      ['vault'],
    );

    const dup = await api(t, 'POST', '/api/v1/wallets', alice, { name: 'Vault copy', descriptor: MULTI });
    assert.equal(dup.statusCode, 409, dup.body);
    assert.equal(dup.json().error.code, 'SPECTER_ERR_WALLET_DUPLICATE');
    assert.match(dup.json().error.message, /"Vault"/);
    // Bob may hold the same descriptor: it is his own wallet.
    assert.equal((await api(t, 'POST', '/api/v1/wallets', bob, { name: 'Vault', descriptor: MULTI })).statusCode, 201);
    assert.equal((await t.specter.walletsOf(t.specter.userManager.require('alice')).list()).length, 1);
  } finally {
    await t.close();
  }
});
