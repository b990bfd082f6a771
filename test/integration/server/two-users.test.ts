/**
 * Two users in `usernamepassword`: neither can see, change or delete the other's wallets, devices
 * or plugin data through the pages. (The JSON API side: test/integration/managers/wallets/ownership.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, TEST_DESCRIPTORS } from '../../../src/testing/index.js';
import { MULTISIG_KEY_TEXTS } from '../../unit/bitcoin/fixtures.js';

test("two users: each sees only their own wallets, devices and notes; the other's are not found, not changeable", async (t) => {
  const app = await createTestSpecter();
  t.after(() => app.close());
  await app.setAuth('usernamepassword', 'admin password');
  await app.specter.userManager.addUser('alice', 'alice password');
  await app.specter.userManager.addUser('bob', 'bob password');
  const alice = await app.login('alice password', 'alice');
  const bob = await app.login('bob password', 'bob');

  // Bob's things, made through the pages.
  assert.equal((await bob.post('/spc/devices/new', { name: 'Bob Coldcard', type: 'coldcard', keys: MULTISIG_KEY_TEXTS[0]! })).statusCode, 302);
  assert.equal((await bob.post('/spc/wallets/new/import', { name: 'Bob Savings', data: TEST_DESCRIPTORS.singleSig })).statusCode, 302);
  await app.activate('bob', 'notes');
  assert.equal((await bob.post('/spc/ext/notes/', { text: 'bob secret note' })).statusCode, 302);

  // Alice sees none of it.
  const overview = await alice.get('/spc/wallets/');
  assert.equal(overview.statusCode, 200);
  assert.doesNotMatch(overview.body, /Bob Savings/);
  assert.doesNotMatch((await alice.get('/spc/devices/')).body, /Bob Coldcard/);
  for (const url of [
    '/spc/wallets/bob-savings/addresses/',
    '/spc/wallets/bob-savings/settings/',
    '/spc/wallets/bob-savings/backup.json',
    '/spc/devices/bob-coldcard/',
  ]) {
    assert.equal((await alice.get(url)).statusCode, 404, url);
  }
  // … and cannot delete or change it.
  assert.equal((await alice.post('/spc/wallets/bob-savings/delete', { confirm: 'yes' })).statusCode, 404);
  assert.equal((await alice.post('/spc/devices/bob-coldcard/delete', { confirm: 'yes' })).statusCode, 404);
  assert.equal((await alice.post('/spc/devices/bob-coldcard/rename', { name: 'Mine now' })).statusCode, 404);
  await app.activate('alice', 'notes');
  assert.doesNotMatch((await alice.get('/spc/ext/notes/')).body, /bob secret note/);

  // The attack the review found: a wallet of the same alias with Alice's own keys lands in Alice's
  // folder, and Bob's next receive address is still Bob's.
  const before = await bob.get('/spc/wallets/bob-savings/receive/');
  assert.equal((await alice.post('/spc/wallets/new/import', { name: 'Bob Savings', data: TEST_DESCRIPTORS.multisig2of3 })).statusCode, 302);
  const after = await bob.get('/spc/wallets/bob-savings/receive/');
  assert.equal(after.statusCode, 200);
  const address = (body: string) => /bc1q[0-9a-z]{38,58}/.exec(body)?.[0];
  assert.equal(address(after.body), address(before.body), "Bob's receive address is unchanged");
  assert.match((await bob.get('/spc/ext/notes/')).body, /bob secret note/);
  assert.deepEqual(
    (await app.specter.walletsOf(app.specter.userManager.getByUsername('bob')!).list()).map((w) => w.name),
    ['Bob Savings'],
  );
});
