import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTestSpecter, type TestSpecter } from '../../../../src/testing/index.js';
import { EXTENSION_DATA_BODY_LIMIT } from '../../../../src/server/api/extension-data.js';
import { basic, dataApi, readJson, readText, SECRET_PAGE, storageFixtures } from './helpers.js';

const PASSWORD = 'api password';
const AUTH = basic('admin', PASSWORD);
let t: TestSpecter;
let encryptedFile: string;
let plainFile: string;

before(async () => {
  t = await createTestSpecter({ extensions: await storageFixtures() });
  await t.setAuth('passwordonly', PASSWORD);
  // Setting the password unlocked the admin's secret; the API must not need (or fill) the vault.
  t.specter.userManager.lock('admin');
  encryptedFile = path.join(t.dataFolder, 'users', 'admin', 'services.json');
  plainFile = path.join(t.dataFolder, 'users', 'admin', 'unencrypted_services.json');
});
after(async () => t.close());

test('encrypted extension: PUT then GET round-trips; the file holds a token; the vault stays empty; not activated is fine', async () => {
  assert.equal(t.specter.userManager.admin.hasService('storage_secret'), false, 'restoring before activation is allowed');
  const data = { value: 'from the api', wallets: ['w1', 'w2'], nested: { on: true, n: 3 } };
  const put = await dataApi(t, 'PUT', 'storage_secret', { auth: AUTH, json: data });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), data, 'PUT answers the data as stored');
  assert.equal(put.headers['cache-control'], 'no-store');
  const get = await dataApi(t, 'GET', 'storage_secret', { auth: AUTH });
  assert.equal(get.statusCode, 200);
  assert.deepEqual(get.json(), data);
  assert.equal(get.headers['cache-control'], 'no-store');

  const file = await readJson(encryptedFile);
  assert.match(String(file?.storage_secret), /^gAAAAA/, 'stored as a Fernet token');
  assert.doesNotMatch((await readText(encryptedFile)) ?? '', /from the api/);
  assert.equal(await readJson(plainFile), undefined, 'nothing went to the unencrypted file');
  assert.equal(t.specter.userManager.secretOf('admin'), undefined, 'the password unlocked the secret for the request only');

  // The extension reads the same data with the secret its login unlocks.
  await t.activate('admin', 'storage_secret');
  const client = await t.login(PASSWORD);
  assert.match((await client.get(SECRET_PAGE)).body, /<p id="stored-value">from the api<\/p>/);
  await client.post('/spc/auth/logout');
  assert.equal(t.specter.userManager.secretOf('admin'), undefined);
});

test('unencrypted extension: PUT then GET round-trips through the plain JSON file', async () => {
  const data = { value: 'plain via api', list: [1, 2, 3] };
  const put = await dataApi(t, 'PUT', 'storage_plain', { auth: AUTH, json: data });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual((await dataApi(t, 'GET', 'storage_plain', { auth: AUTH })).json(), data);
  const file = await readJson(plainFile);
  assert.deepEqual(JSON.parse(String(file?.storage_plain)), data);
  assert.equal(file?.encrypted_storage_version, 1);
  // PUT replaces, it does not merge.
  await dataApi(t, 'PUT', 'storage_plain', { auth: AUTH, json: { other: true } });
  assert.deepEqual((await dataApi(t, 'GET', 'storage_plain', { auth: AUTH })).json(), { other: true });
});

test('credentials: none → 401 AUTH_REQUIRED, wrong password → 401 AUTH_FAILED, and nothing is written', async () => {
  const before = { enc: await readText(encryptedFile), plain: await readText(plainFile) };
  const missing = await dataApi(t, 'GET', 'storage_secret');
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json().error.code, 'SPECTER_ERR_AUTH_REQUIRED');
  assert.match(String(missing.headers['www-authenticate']), /^Basic /);
  const wrong = basic('admin', 'not the password');
  for (const [method, id] of [
    ['GET', 'storage_secret'],
    ['PUT', 'storage_secret'],
    ['PUT', 'storage_plain'],
  ] as const) {
    const res = await dataApi(t, method, id, { auth: wrong, ...(method === 'PUT' && { json: { value: 'intruder' } }) });
    assert.equal(res.statusCode, 401, `${method} ${id}`);
    assert.equal(res.json().error.code, 'SPECTER_ERR_AUTH_FAILED');
  }
  assert.deepEqual({ enc: await readText(encryptedFile), plain: await readText(plainFile) }, before);
});

test('bad bodies are refused with 400 (413 when too large) and nothing is written', async () => {
  const before = { enc: await readText(encryptedFile), plain: await readText(plainFile) };
  const cases: Array<{ name: string; call: Parameters<typeof dataApi>[3]; status: number; code?: string }> = [
    { name: 'array', call: { json: [1, 2] }, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    { name: 'string', call: { json: 'text' }, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    { name: 'number', call: { json: 42 }, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    { name: 'null', call: { raw: 'null' }, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    { name: 'no body', call: {}, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    {
      name: 'form instead of JSON',
      call: { raw: 'value=x', contentType: 'application/x-www-form-urlencoded' },
      status: 400,
      code: 'SPECTER_ERR_VALIDATION',
    },
    { name: 'text instead of JSON', call: { raw: '{"value":"x"}', contentType: 'text/plain' }, status: 400, code: 'SPECTER_ERR_VALIDATION' },
    { name: 'malformed JSON', call: { raw: '{"value": ' }, status: 400 },
    { name: 'too large', call: { json: { value: 'x'.repeat(EXTENSION_DATA_BODY_LIMIT) } }, status: 413 },
  ];
  for (const id of ['storage_secret', 'storage_plain']) {
    for (const c of cases) {
      const res = await dataApi(t, 'PUT', id, { auth: AUTH, ...c.call });
      assert.equal(res.statusCode, c.status, `${id}, ${c.name}: ${res.body}`);
      const error = res.json().error as { code: string; message: string };
      if (c.code) assert.equal(error.code, c.code, `${id}, ${c.name}`);
      assert.ok(error.message, `${id}, ${c.name} explains itself`);
    }
  }
  assert.deepEqual({ enc: await readText(encryptedFile), plain: await readText(plainFile) }, before);
});

test("PUT {} removes the entry (GET then answers {}); other extensions' entries stay", async () => {
  for (const [id, file] of [
    ['storage_secret', encryptedFile],
    ['storage_plain', plainFile],
  ] as const) {
    assert.ok(Object.hasOwn((await readJson(file))!, id), `${id} has data before`);
    const res = await dataApi(t, 'PUT', id, { auth: AUTH, json: {} });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {});
    const after = await readJson(file);
    assert.equal(Object.hasOwn(after!, id), false, `${id}'s entry is gone`);
    assert.equal(after?.encrypted_storage_version, 1);
    assert.deepEqual((await dataApi(t, 'GET', id, { auth: AUTH })).json(), {});
  }
});

test('unknown or not-loaded extension ids answer 404 EXT_NOT_FOUND', async () => {
  for (const id of ['nosuchext', 'gatekeeper', 'Storage_Secret', 'storage_secret%2F..', 'encrypted_storage_version', '__proto__']) {
    for (const method of ['GET', 'PUT'] as const) {
      const res = await dataApi(t, method, id, { auth: AUTH, ...(method === 'PUT' && { json: { a: 1 } }) });
      assert.equal(res.statusCode, 404, `${method} ${id}`);
      assert.equal(res.json().error.code, 'SPECTER_ERR_EXT_NOT_FOUND', `${method} ${id}`);
    }
  }
  // A path that climbs out is never a data route at all.
  const climbing = await t.app.inject({ method: 'GET', url: '/api/v1/extensions/../data', headers: { authorization: AUTH } });
  assert.equal(climbing.statusCode, 404);
});

test('usernamepassword: each user reaches their own data; a user without a secret yet gets 409 with a hint', async () => {
  await t.setAuth('usernamepassword');
  await t.specter.userManager.addUser('bob', 'bob password');
  const bob = basic('bob', 'bob password');
  const early = await dataApi(t, 'PUT', 'storage_secret', { auth: bob, json: { value: 'bob' } });
  assert.equal(early.statusCode, 409);
  assert.equal(early.json().error.code, 'SPECTER_ERR_USER_SECRET_UNAVAILABLE');
  assert.match(early.json().error.hint, /Log in once/);

  const ui = await t.login('bob password', 'bob'); // creates bob's secret
  await ui.post('/spc/auth/logout');
  const put = await dataApi(t, 'PUT', 'storage_secret', { auth: bob, json: { value: 'bob only' } });
  assert.equal(put.statusCode, 200, put.body);
  assert.match(String((await readJson(path.join(t.dataFolder, 'users', 'bob', 'services.json')))?.storage_secret), /^gAAAAA/);
  await dataApi(t, 'PUT', 'storage_secret', { auth: AUTH, json: { value: 'admin only' } });
  assert.deepEqual((await dataApi(t, 'GET', 'storage_secret', { auth: bob })).json(), { value: 'bob only' });
  assert.deepEqual((await dataApi(t, 'GET', 'storage_secret', { auth: AUTH })).json(), { value: 'admin only' });
  assert.equal(t.specter.userManager.secretOf('bob'), undefined);
});

test('auth none: an encrypted extension answers 409 USER_SECRET_UNAVAILABLE with a hint; unencrypted still works', async () => {
  await t.setAuth('none');
  for (const method of ['GET', 'PUT'] as const) {
    const res = await dataApi(t, method, 'storage_secret', method === 'PUT' ? { json: { value: 'x' } } : {});
    assert.equal(res.statusCode, 409, `${method}: ${res.body}`);
    const error = res.json().error as { code: string; hint: string };
    assert.equal(error.code, 'SPECTER_ERR_USER_SECRET_UNAVAILABLE');
    assert.match(error.hint, /Settings → Authentication/);
  }
  assert.deepEqual(await readJson(encryptedFile), { encrypted_storage_version: 1 }, 'the refused PUT wrote nothing');
  const put = await dataApi(t, 'PUT', 'storage_plain', { json: { value: 'open' } });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual((await dataApi(t, 'GET', 'storage_plain')).json(), { value: 'open' });
});
