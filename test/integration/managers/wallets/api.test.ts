import { reservationsOf } from '../../../helpers/reservations.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestSpecter, type TestSpecter } from '../../../../src/testing/index.js';
import { KEY, TPUB_84, XPUB_84, snapshot } from './helpers.js';

const MULTI = `wsh(sortedmulti(2,${KEY.abandon}/<0;1>/*,${KEY.legal}/<0;1>/*,${KEY.letter}/<0;1>/*))`;

function api(t: TestSpecter, method: 'GET' | 'POST', url: string, body?: unknown, auth?: string): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return t.app.inject({ method, url, headers, ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
}

function errorOf(res: LightMyRequestResponse): { code: string; message: string; hint?: string } {
  return (res.json() as { error: { code: string; message: string; hint?: string } }).error;
}

test('create from a descriptor, list, read, page addresses and get a new receive address', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const created = await api(t, 'POST', '/api/v1/wallets', { name: 'Cold', descriptor: MULTI });
  assert.equal(created.statusCode, 201, created.body);
  const { wallet } = created.json();
  assert.equal(wallet.alias, 'cold');
  assert.equal(wallet.type, 'multisig');
  assert.equal(wallet.policy, '2 of 3 multisig');
  assert.equal(wallet.network, 'main');
  assert.equal(wallet.address_index, 0);
  assert.match(wallet.descriptor, /^wsh\(sortedmulti\(2,.*<0;1>.*#[a-z0-9]{8}$/);

  const list = (await api(t, 'GET', '/api/v1/wallets')).json();
  assert.deepEqual(
    list.wallets.map((w: { alias: string }) => w.alias),
    ['cold'],
  );
  const one = (await api(t, 'GET', '/api/v1/wallets/cold')).json().wallet;
  for (const key of ['descriptor', 'type', 'policy', 'network', 'address_index']) assert.ok(key in one, key);

  const page = await api(t, 'GET', '/api/v1/wallets/cold/addresses?change=0&from=0&count=3');
  assert.equal(page.statusCode, 200);
  const body = page.json();
  assert.equal(body.addresses.length, 3);
  assert.deepEqual(body.addresses[0], {
    index: 0,
    address: 'bc1qm43n7nnev58aj3nrznz2xscgv98t7gxycq5pmp20a5vzfp5t0q2s7r6twa',
    label: 'Address #0',
    used: false,
    service_id: null,
  });
  const change = (await api(t, 'GET', '/api/v1/wallets/cold/addresses?change=1&count=1')).json();
  assert.equal(change.addresses[0].label, 'Change #0');
  // Paging past the stored list derives the page on read, without storing it.
  const end = await api(t, 'GET', '/api/v1/wallets/cold/addresses?from=20&count=1000');
  assert.equal(end.statusCode, 200);
  assert.equal(end.json().addresses.length, 1000);
  assert.equal(end.json().addresses[0].index, 20);
  assert.equal((await api(t, 'GET', '/api/v1/wallets/cold')).json().wallet.keypool, 20);

  // Receive skips reserved addresses (reserved through an extension) and reports service_id.
  await t.activate('admin', 'notes');
  const notes = reservationsOf(t, 'notes');
  const w = await t.specter.walletManager.get('cold');
  await notes.reserveAddress('cold', await w.getAddress(1));
  const recv = await api(t, 'POST', '/api/v1/wallets/cold/receive');
  assert.equal(recv.statusCode, 200, recv.body);
  assert.equal(recv.json().index, 2);
  assert.equal(recv.json().address, await w.getAddress(2));
  const reserved = (await api(t, 'GET', '/api/v1/wallets/cold/addresses?from=1&count=1')).json().addresses[0];
  assert.equal(reserved.service_id, 'notes');
  assert.equal(reserved.label, 'Reserved for Notes');
});

test('create from a Specter backup JSON', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const backup = { label: 'From Specter', blockheight: 700000, descriptor: `wpkh(${XPUB_84}/0/*)`, devices: [{ type: 'coldcard', label: 'My CC' }] };
  const res = await api(t, 'POST', '/api/v1/wallets', backup);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().wallet.name, 'From Specter');
  assert.equal(res.json().wallet.type, 'singlesig');
  assert.equal(res.json().wallet.blockheight, 700000);
  const device = (await t.specter.deviceManager.list())[0]!;
  assert.equal(device.name, 'My CC');
  assert.equal(device.type, 'coldcard');
});

test('bad input: clear errors, and the data folder is unchanged', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  assert.equal((await api(t, 'POST', '/api/v1/wallets', { name: 'Cold', descriptor: MULTI })).statusCode, 201);
  const before = await snapshot(t.dataFolder);
  const cases: Array<[string, 'GET' | 'POST', string, unknown, number, string, RegExp]> = [
    [
      'garbage xpub',
      'POST',
      '/api/v1/wallets',
      { name: 'G', descriptor: 'wpkh([73c5da0a/84h/0h/0h]xpub6GARBAGE/0/*)' },
      400,
      'SPECTER_ERR_KEY_INVALID',
      /base58check/,
    ],
    [
      'testnet key on mainnet',
      'POST',
      '/api/v1/wallets',
      { name: 'N', network: 'main', descriptor: `wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/0/*)` },
      400,
      'SPECTER_ERR_KEY_NETWORK_MISMATCH',
      /test/i,
    ],
    [
      'mixed networks',
      'POST',
      '/api/v1/wallets',
      { name: 'N', descriptor: `wsh(sortedmulti(1,${KEY.abandon}/0/*,[73c5da0a/84h/1h/0h]${TPUB_84}/0/*))` },
      400,
      'SPECTER_ERR_KEY_NETWORK_MISMATCH',
      /network|test/i,
    ],
    [
      'duplicate keys in one multisig',
      'POST',
      '/api/v1/wallets',
      { name: 'D', descriptor: `wsh(sortedmulti(2,${KEY.abandon}/0/*,${KEY.abandon}/0/*,${KEY.legal}/0/*))` },
      400,
      'SPECTER_ERR_DESCRIPTOR_POLICY',
      /duplicate|twice|same key/i,
    ],
    [
      'threshold above n',
      'POST',
      '/api/v1/wallets',
      { name: 'T', descriptor: `wsh(sortedmulti(3,${KEY.abandon}/0/*,${KEY.legal}/0/*))` },
      400,
      'SPECTER_ERR_DESCRIPTOR_POLICY',
      /3/,
    ],
    [
      'existing name',
      'POST',
      '/api/v1/wallets',
      { name: 'cold', descriptor: `wpkh(${XPUB_84}/0/*)` },
      409,
      'SPECTER_ERR_WALLET_EXISTS',
      /already exists/,
    ],
    ['no descriptor', 'POST', '/api/v1/wallets', { name: 'X' }, 400, 'SPECTER_ERR_VALIDATION', /descriptor/],
    ['no name', 'POST', '/api/v1/wallets', { descriptor: MULTI }, 400, 'SPECTER_ERR_VALIDATION', /name/],
    ['body not an object', 'POST', '/api/v1/wallets', '[1,2]', 400, 'SPECTER_ERR_VALIDATION', /JSON object/],
    ['broken backup', 'POST', '/api/v1/wallets', { label: 'B', descriptor: MULTI, devices: 'nope' }, 400, 'SPECTER_ERR_WALLET_INVALID', /devices/],
    ['bad network', 'POST', '/api/v1/wallets', { name: 'X', network: 'moon', descriptor: MULTI }, 400, 'SPECTER_ERR_VALIDATION', /network/],
    ['unknown wallet', 'GET', '/api/v1/wallets/nope', undefined, 404, 'SPECTER_ERR_WALLET_NOT_FOUND', /nope/],
    ['unknown wallet addresses', 'GET', '/api/v1/wallets/nope/addresses', undefined, 404, 'SPECTER_ERR_WALLET_NOT_FOUND', /nope/],
    ['unknown wallet receive', 'POST', '/api/v1/wallets/nope/receive', undefined, 404, 'SPECTER_ERR_WALLET_NOT_FOUND', /nope/],
    ['count over the limit', 'GET', '/api/v1/wallets/cold/addresses?count=1001', undefined, 400, 'SPECTER_ERR_LIMIT_EXCEEDED', /1000/],
    ['count zero', 'GET', '/api/v1/wallets/cold/addresses?count=0', undefined, 400, 'SPECTER_ERR_VALIDATION', /count/],
    ['count not a number', 'GET', '/api/v1/wallets/cold/addresses?count=ten', undefined, 400, 'SPECTER_ERR_VALIDATION', /count/],
    ['negative from', 'GET', '/api/v1/wallets/cold/addresses?from=-1', undefined, 400, 'SPECTER_ERR_VALIDATION', /from/],
    ['fractional from', 'GET', '/api/v1/wallets/cold/addresses?from=1.5', undefined, 400, 'SPECTER_ERR_VALIDATION', /from/],
    [
      'from past the last index',
      'GET',
      '/api/v1/wallets/cold/addresses?from=2147483648',
      undefined,
      400,
      'SPECTER_ERR_VALIDATION',
      /from must be an address index from 0 to 2147483647/,
    ],
    ['change not 0/1', 'GET', '/api/v1/wallets/cold/addresses?change=2', undefined, 400, 'SPECTER_ERR_VALIDATION', /change/],
    ['change twice', 'GET', '/api/v1/wallets/cold/addresses?change=0&change=1', undefined, 400, 'SPECTER_ERR_VALIDATION', /change/],
    ['count twice', 'GET', '/api/v1/wallets/cold/addresses?count=1&count=2', undefined, 400, 'SPECTER_ERR_VALIDATION', /more than once/],
    [
      'unknown parameter',
      'GET',
      '/api/v1/wallets/cold/addresses?limit=5',
      undefined,
      400,
      'SPECTER_ERR_VALIDATION',
      /Unknown query parameter "limit"/,
    ],
  ];
  for (const [name, method, url, body, status, code, message] of cases) {
    const res = await api(t, method, url, body);
    assert.equal(res.statusCode, status, `${name}: ${res.body}`);
    const error = errorOf(res);
    assert.equal(error.code, code, `${name}: ${res.body}`);
    assert.match(`${error.message} ${error.hint ?? ''}`, message, name);
  }
  assert.deepEqual(await snapshot(t.dataFolder), before, 'refused requests wrote nothing');
});

test('HTTP Basic is required once a password is set', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.setAuth('usernamepassword', 'admin password');
  const anon = await api(t, 'GET', '/api/v1/wallets');
  assert.equal(anon.statusCode, 401);
  assert.match(String(anon.headers['www-authenticate']), /Basic/);
  assert.equal((await api(t, 'GET', '/api/v1/wallets', undefined, 'admin:wrong')).statusCode, 401);
  const ok = await api(t, 'GET', '/api/v1/wallets', undefined, 'admin:admin password');
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { wallets: [] });
});
