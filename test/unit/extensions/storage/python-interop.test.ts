import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExtensionStorage } from '../../../../src/extensions/storage/index.js';
import { requestContext, UserManager } from '../../../../src/managers/users/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import { pythonAvailable, runSpecterPython } from '../../../helpers/python.js';
import { readJson, removeDir, silentLogger, tempDir } from './_helpers.js';

/**
 * A Specter Desktop data folder, written by Specter's own crypto on Debian's python3-cryptography,
 * opens in Specter TS, and what Specter TS writes opens in Python.
 */

const skip = pythonAvailable() ? false : 'Debian /usr/bin/python3 with python3-cryptography is not installed';

interface PyUser {
  user: Record<string, unknown> & { id: string };
  secret: string;
}

const swanData = {
  wallet: 'w1',
  swan_wallet_id: 'sw-123',
  access_token: 'at-öäü',
  expires: 1700000000,
  refresh_token: 'rt',
  autowithdrawal_id: null,
  withdrawal_threshold: 0.01,
};

describe('extension storage interop with Specter Desktop (Python)', { skip }, () => {
  let dir: string;
  let secret: string;
  let users: UserManager;
  let storage: ExtensionStorage;
  const password = 'correct horse ✓';

  before(async () => {
    dir = await tempDir();
    const made = await runSpecterPython<PyUser>('make_user', { username: 'alice', password });
    secret = made.secret;
    await writeFile(join(dir, 'users.json'), JSON.stringify([made.user], null, 4));

    const store = new JsonFileStore({ logger: silentLogger() });
    users = new UserManager(dir, store, silentLogger());
    await users.load();
    storage = new ExtensionStorage({ dataFolder: dir, store, users, authMethod: () => 'usernamepassword' });
  });
  after(async () => {
    await removeDir(dir);
  });

  it('Python writes a swan token; TS unwraps the secret with the password and reads it in a request', async () => {
    const { token } = await runSpecterPython<{ token: string }>('fernet_encrypt', { key: secret, data: JSON.stringify(swanData) });
    await writeFile(join(dir, 'alice_services.json'), JSON.stringify({ swan: token, encrypted_storage_version: 1 }, null, 4));
    // Specter's file name is read by the start-up migration into the user's folder.
    await storage.migrateLegacyFiles([users.require('alice')], ['alice']);

    const user = await users.authenticate('alice', password);
    assert.ok(user, 'the Python-made password verifies');
    assert.equal(users.secretOf('alice'), secret, 'the Python-wrapped secret unwraps');

    const data = await requestContext.run({ user }, () => storage.getCurrentUserServiceData('swan', true));
    assert.deepEqual(data, swanData);
  });

  it('TS updates; Python decrypts the token with the user secret', async () => {
    const user = users.require('alice');
    const merged = await requestContext.run({ user }, () =>
      storage.updateCurrentUserServiceData('swan', true, { access_token: 'at-2', expires: 1800000000 }),
    );
    assert.deepEqual(merged, { ...swanData, access_token: 'at-2', expires: 1800000000 });

    const file = await readJson(storage.filesOf('alice').encrypted);
    assert.deepEqual(Object.keys(file), ['swan', 'encrypted_storage_version']);
    const py = await runSpecterPython<{ data: string }>('fernet_decrypt', { key: secret, token: file.swan });
    assert.deepEqual(JSON.parse(py.data), merged);
  });

  it("Specter's own save path (json.dumps, indent 4, several extensions) round-trips both ways", async () => {
    const path = storage.filesOf('alice').encrypted;
    await runSpecterPython('write_service_storage', {
      path,
      key: secret,
      services: { swan: swanData, notifications: { chat_id: 7, on: ['tx', 'block'] } },
    });
    const user = users.require('alice');
    await requestContext.run({ user }, async () => {
      assert.deepEqual(await storage.getCurrentUserServiceData('swan', true), swanData);
      assert.deepEqual(await storage.getCurrentUserServiceData('notifications', true), { chat_id: 7, on: ['tx', 'block'] });
      await storage.setCurrentUserServiceData('devhelp', true, { wallet: 'w9', emoji: '🔑' });
      await storage.updateCurrentUserServiceData('notifications', true, { on: [] });
    });
    const read = await runSpecterPython<{ services: Record<string, unknown> }>('read_service_storage', { path, key: secret });
    assert.deepEqual(read.services, {
      swan: swanData,
      notifications: { chat_id: 7, on: [] },
      devhelp: { wallet: 'w9', emoji: '🔑' },
    });
  });
});
