import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { PLAIN_PAGE, readJson, SECRET_PAGE, storageFixtures } from './helpers.js';

test("auth → none: the confirmation names the encrypted extension; each user's encrypted file is emptied, the plain one kept, the extension unlinked", async () => {
  // Built-in encrypted extensions (autowithdraw) would be named too; this test is about its fixtures.
  const t = await createTestSpecter({ extensions: await storageFixtures(), config: { LOAD_BUILTIN_EXTENSIONS: false } });
  try {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('alice', 'alice password');
    const users = [
      { id: 'admin', password: 'admin password' },
      { id: 'alice', password: 'alice password' },
    ];
    const clients = new Map<string, Awaited<ReturnType<typeof t.login>>>();
    for (const u of users) {
      await t.activate(u.id, 'storage_secret');
      await t.activate(u.id, 'storage_plain');
      const client = await t.login(u.password, u.id);
      clients.set(u.id, client);
      assert.equal((await client.post(`${SECRET_PAGE}store`, { value: `secret of ${u.id}` })).statusCode, 302);
      assert.equal((await client.post(`${PLAIN_PAGE}store`, { value: `plain of ${u.id}` })).statusCode, 302);
      const encrypted = await readJson(path.join(t.dataFolder, 'users', u.id, 'services.json'));
      assert.match(String(encrypted?.storage_secret), /^gAAAAA/, `${u.id} has encrypted data`);
    }

    const admin = clients.get('admin')!;
    const ask = await admin.post('/spc/settings/auth', { auth_method: 'none' });
    assert.equal(ask.statusCode, 302);
    const page = await admin.follow(ask);
    assert.equal(page.statusCode, 200);
    const unlinked = /the plugin integrations (.*?) will be unlinked/.exec(page.body);
    assert.ok(unlinked, 'the page says which extensions will be unlinked');
    assert.match(unlinked[1]!, /^(&quot;|")Secret Store(&quot;|")$/, 'only the encrypted extension');
    assert.match(page.body, /users\/admin\/services\.json/);
    assert.match(page.body, /users\/alice\/services\.json/);
    assert.equal(t.specter.authMethod, 'usernamepassword', 'nothing changes before confirmation');

    const done = await admin.post('/spc/settings/auth/confirm', { confirm: 'yes' });
    assert.equal(done.statusCode, 302);
    assert.equal(t.specter.authMethod, 'none');

    for (const u of users) {
      const encryptedFile = path.join(t.dataFolder, 'users', u.id, 'services.json');
      assert.deepEqual(await readJson(encryptedFile), { encrypted_storage_version: 1 }, `users/${u.id}/services.json is emptied`);
      const backup = await readJson(`${encryptedFile}.bkp`);
      assert.equal(backup !== undefined && Object.hasOwn(backup, 'storage_secret'), false, 'no backup keeps the old token');
      const plain = await readJson(path.join(t.dataFolder, 'users', u.id, 'unencrypted_services.json'));
      assert.deepEqual(JSON.parse(String(plain?.storage_plain)), { value: `plain of ${u.id}` }, `${u.id}'s unencrypted data is kept`);
      const user = t.specter.userManager.require(u.id);
      assert.equal(user.hasService('storage_secret'), false, `storage_secret unlinked from ${u.id}`);
      assert.equal(user.hasService('storage_plain'), true, `storage_plain stays active for ${u.id}`);
      assert.equal(user.record.encrypted_user_secret, null);
    }
    // Everyone is the admin now; the unencrypted extension still shows its data.
    assert.match((await t.client().get(PLAIN_PAGE)).body, /<p id="stored-value">plain of admin<\/p>/);
  } finally {
    await t.close();
  }
});
