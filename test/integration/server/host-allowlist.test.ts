import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';
import { hostName } from '../../../src/server/plugins/host-allowlist.js';

test('host names are read from Host headers with ports, brackets and case', () => {
  assert.equal(hostName('LocalHost:25441'), 'localhost');
  assert.equal(hostName('[::1]:25441'), '::1');
  assert.equal(hostName('127.0.0.1'), '127.0.0.1');
  assert.equal(hostName('abcdefghijklmnop.onion'), 'abcdefghijklmnop.onion');
});

test('DNS rebinding in auth "none": a page served from another name cannot read xpubs or set a password', async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  const rebound = { host: 'evil.example' };
  const read = await app.app.inject({ method: 'GET', url: '/api/v1/wallets', headers: rebound });
  assert.equal(read.statusCode, 403);
  assert.equal(read.json().error.code, 'SPECTER_ERR_HOST_FORBIDDEN');
  const page = await app.app.inject({ method: 'GET', url: '/spc/settings/auth', headers: rebound });
  assert.equal(page.statusCode, 403);
  assert.doesNotMatch(page.body, /csrf/i, 'no form token is handed out to the foreign origin');
  const set = await app.app.inject({
    method: 'POST',
    url: '/spc/settings/auth',
    headers: { ...rebound, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'auth_method=passwordonly&specter_password=x&specter_password_confirm=x',
  });
  assert.equal(set.statusCode, 403);
  assert.equal(app.specter.authMethod, 'none', 'nothing changed');
  for (const host of ['127.0.0.1:25441', 'localhost', '[::1]:8080', 'app.localhost']) {
    assert.equal((await app.app.inject({ method: 'GET', url: '/api/v1/wallets', headers: { host } })).statusCode, 200, host);
  }
});

test('ALLOWED_HOSTS admits a reverse proxy or onion name', async (t) => {
  const app = await createTestSpecter({ config: { ALLOWED_HOSTS: ['specter.example.org', 'abcdefghijklmnop.onion'] } });
  t.after(() => app.close());
  for (const host of ['specter.example.org', 'abcdefghijklmnop.onion:80']) {
    assert.equal((await app.app.inject({ method: 'GET', url: '/api/v1/health', headers: { host } })).statusCode, 200, host);
  }
  assert.equal((await app.app.inject({ method: 'GET', url: '/api/v1/health', headers: { host: 'other.example.org' } })).statusCode, 403);
});
