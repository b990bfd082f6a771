import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../src/testing/index.js';

test('a 2 MB paste into Import comes back in the form with the limit stated, and nothing is saved', async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  const client = app.client();
  const marker = 'wsh(sortedmulti(2,pasted-by-the-user';
  const data = marker + 'x'.repeat(2 * 1024 * 1024);
  const res = await client.post('/spc/wallets/new/import', { name: 'Big', data });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /the limit is 262,144/);
  assert.match(res.body, /value="Big"/, 'the name is kept');
  assert.ok(res.body.includes(marker), 'the pasted text is kept');
  assert.deepEqual(await app.specter.walletManager.list(), []);
});

test('a form field of the wrong shape answers 400 naming the field', async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  await app.setAuth('passwordonly', 'a password');
  const admin = await app.login('a password');
  const res = await admin.post('/spc/settings/general', { unit: 'furlongs' });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /Field &quot;unit&quot; is invalid/);
  assert.equal(app.specter.configManager.values.unit, 'btc');
});

test('a body over the form limit is refused with a page saying so', async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  const client = app.client();
  const res = await client.post('/spc/devices/new', { name: 'D', type: 'other', keys: 'k'.repeat(1_100_000) });
  assert.equal(res.statusCode, 413);
  assert.match(res.body, /larger than this page accepts/);
});

test('a wallet file of the wrong shape is named on the wallets overview, not hidden', async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(path.join(app.dataFolder, 'wallets'), { recursive: true });
  await fs.writeFile(path.join(app.dataFolder, 'wallets', 'odd.json'), JSON.stringify({ name: 42, descriptor: [] }));
  const page = await app.client().get('/spc/wallets/');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /1 wallet file could not be read/);
  assert.match(page.body, /wallets\/odd\.json/);
});
