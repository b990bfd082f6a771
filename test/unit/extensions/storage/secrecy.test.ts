import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { ExtensionStorage } from '../../../../src/extensions/storage/index.js';
import { requestContext, UserManager, type User } from '../../../../src/managers/users/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import { captureLogger, filesContaining, removeDir, tempDir } from './_helpers.js';

/**
 * With the real UserManager (PBKDF2, vault) and real pino logging: encrypted extension data never
 * reaches the disk or the log in plaintext, and a wrong password opens nothing.
 */

const code = (key: string) => (err: unknown) => isSpecterError(err) && err.key === key;

describe('secrecy of encrypted extension data', () => {
  let dir: string;
  let users: UserManager;
  let storage: ExtensionStorage;
  let output: string[];
  let logger: ReturnType<typeof captureLogger>['logger'];
  let carol: User;
  const password = `pw-${randomBytes(6).toString('hex')}`;

  before(async () => {
    dir = await tempDir();
    ({ logger, output } = captureLogger('trace'));
    const store = new JsonFileStore({ logger });
    users = new UserManager(dir, store, logger);
    await users.load();
    await users.addUser('carol', password);
    storage = new ExtensionStorage({ dataFolder: dir, store, users, authMethod: () => 'usernamepassword', logger });
    const user = await users.authenticate('carol', password);
    assert.ok(user);
    carol = user;
  });
  after(async () => {
    await removeDir(dir);
  });

  const logText = (): string => output.join('');

  it('a marker stored through the encrypted path appears in no file and no log line', async () => {
    const marker = `SECRET-MARKER-${randomBytes(12).toString('hex')}`;
    await requestContext.run({ user: carol }, async () => {
      await storage.setCurrentUserServiceData('vaultext', true, { apiSecret: marker });
      await storage.updateCurrentUserServiceData('vaultext', true, { again: marker, n: 1 });
      assert.deepEqual(await storage.getCurrentUserServiceData('vaultext', true), { apiSecret: marker, again: marker, n: 1 });
    });
    // Life-cycle operations log too; run one that touches the file.
    await storage.purgeExtension('otherext', [carol], []);

    assert.deepEqual(await filesContaining(dir, marker), [], 'no file holds the marker');
    assert.equal(logText().includes(marker), false, 'no log line holds the marker');
    const secret = users.secretOf('carol')!;
    assert.deepEqual(await filesContaining(dir, secret), [], 'the user secret is not on disk');
    assert.equal(logText().includes(secret), false, 'the user secret is not logged');
    assert.deepEqual(await filesContaining(dir, password), [], 'the password is not on disk');
    assert.equal(logText().includes(password), false);
    assert.ok(output.length > 0, 'the logger did capture lines, so the log scan looked at something');
  });

  it('control: the same marker through the unencrypted path is found, so the scans can fail', async () => {
    const marker = `PLAIN-MARKER-${randomBytes(12).toString('hex')}`;
    await requestContext.run({ user: carol }, () => storage.setCurrentUserServiceData('plainext', false, { note: marker }));
    const hits = await filesContaining(dir, marker);
    assert.deepEqual(
      hits.map((p) => p.slice(dir.length + 1)),
      ['users/carol/unencrypted_services.json'],
    );
    logger.info({ note: marker }, 'control line');
    assert.equal(logText().includes(marker), true);
  });

  it('a wrong password unlocks nothing: USER_SECRET_LOCKED', async () => {
    await requestContext.run({ user: carol }, () => storage.setCurrentUserServiceData('vaultext', true, { k: 'v' }));
    users.lock('carol'); // logout
    assert.equal(await users.authenticate('carol', `${password}x`), undefined);
    assert.equal(users.secretOf('carol'), undefined);
    await assert.rejects(
      requestContext.run({ user: carol }, () => storage.getCurrentUserServiceData('vaultext', true)),
      code('USER_SECRET_LOCKED'),
    );
    await assert.rejects(storage.forUser(carol).update('vaultext', true, { k: 'w' }), code('USER_SECRET_LOCKED'));

    assert.ok(await users.authenticate('carol', password), 'the right password still works');
    assert.deepEqual(await storage.forUser(carol).get('vaultext', true), { k: 'v' });
  });
});
