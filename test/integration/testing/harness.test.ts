import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, TEST_DESCRIPTORS } from '../../../src/testing/index.js';

test('harness: wallets from the test descriptors derive the published BIP-84 address', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const single = await t.createWallet('Single', TEST_DESCRIPTORS.singleSig);
  assert.equal(await single.getAddress(0), 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
  const multi = await t.createWallet('Multi', TEST_DESCRIPTORS.multisig2of3);
  assert.match(await multi.getAddress(0), /^bc1q[a-z0-9]{58}$/);
});

test('login attempts are rate limited per client', async (ctx) => {
  const t = await createTestSpecter({ config: { LOGIN_RATE_LIMIT: 3 } });
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'right password');
  const client = t.client();
  await client.get('/spc/auth/login');
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await client.post('/spc/auth/login', { password: 'wrong' })).statusCode);
  assert.deepEqual(codes, [401, 401, 401, 429]);
  const blocked = await client.post('/spc/auth/login', { password: 'right password' });
  assert.equal(blocked.statusCode, 429, 'even the right password waits for the window');
});

test('failed HTTP Basic logins on the API are throttled; correct ones are not', async (ctx) => {
  const t = await createTestSpecter({ config: { LOGIN_RATE_LIMIT: 3 } });
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'api password');
  const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`admin:${pw}`).toString('base64')}` });
  for (let i = 0; i < 5; i++) {
    const ok = await t.app.inject({ method: 'GET', url: '/api/v1/extensions', headers: basic('api password') });
    assert.equal(ok.statusCode, 200, 'successful calls do not count');
  }
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await t.app.inject({ method: 'GET', url: '/api/v1/extensions', headers: basic('guess') })).statusCode);
  assert.deepEqual(codes, [401, 401, 401, 429]);
  const after = await t.app.inject({ method: 'GET', url: '/api/v1/extensions', headers: basic('api password') });
  assert.equal(after.statusCode, 429, 'the address waits for the window');
  assert.equal(after.json().error.code, 'SPECTER_ERR_RATE_LIMITED');
});
