/** Usernames are unique without regard to case; every user record carries a creation id. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/log/index.js';
import { UserManager } from '../../../src/managers/users/index.js';
import { JsonFileStore } from '../../../src/persistence/index.js';
import { rejectsWith, removeAll, tempDir } from './_helpers.js';

const logger = createLogger({ level: 'silent' });
const fresh = (dir: string) => new UserManager(dir, new JsonFileStore({ logger }), logger);
const onDisk = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'users.json'), 'utf8')) as Array<Record<string, unknown>>;

describe('users: unique names without regard to case, creation ids', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('specter-users-');
  });
  after(async () => {
    await removeAll(dir);
  });

  it('"bob" and "BOB" cannot both exist; login lookup finds "Bob" for "bob"', async () => {
    const users = fresh(dir);
    await users.load();
    const bob = await users.addUser('bob', 'bobs password');
    const err = await rejectsWith(users.addUser('BOB', 'other password'), 'USER_EXISTS', /"bob" already exists.*without regard to letter case/);
    assert.equal(err.status, 409);
    await rejectsWith(users.addUser('Admin', 'x password'), 'USER_EXISTS');
    assert.equal(users.list().length, 2);
    assert.equal(users.getByUsername('bob')?.id, bob.id);
    assert.equal(users.getByUsername('Bob')?.id, bob.id, 'case-insensitive lookup (the password is still checked)');
    assert.equal(users.getByUsername('bobby'), undefined);
  });

  it('a users.json with names differing only in case still loads; only exact names find them', async () => {
    const other = await tempDir('specter-users-clash-');
    try {
      const rec = (id: string) => ({ id, username: id, password: null, is_admin: id === 'admin', encrypted_user_secret: null, services: [] });
      await writeFile(path.join(other, 'users.json'), JSON.stringify([rec('admin'), rec('eve'), rec('EVE')]));
      const users = fresh(other);
      await users.load();
      assert.equal(users.getByUsername('eve')?.id, 'eve');
      assert.equal(users.getByUsername('EVE')?.id, 'EVE');
      assert.equal(users.getByUsername('Eve'), undefined, 'ambiguous: no guess');
    } finally {
      await removeAll(other);
    }
  });

  it('creation ids: 16 random hex, persisted, added to older records on load, new on re-creation', async () => {
    const users = fresh(dir);
    await users.load();
    const bob = users.getByUsername('bob')!;
    assert.match(bob.creationId, /^[0-9a-f]{16}$/);
    assert.notEqual(bob.creationId, users.admin.creationId);
    const reloaded = fresh(dir);
    await reloaded.load();
    assert.equal(reloaded.getByUsername('bob')!.creationId, bob.creationId, 'persisted');

    // A record from Specter Desktop (no creation id) gets one on load, written back at once.
    const records = await onDisk(dir);
    delete records[0]!.creation_id;
    await writeFile(path.join(dir, 'users.json'), JSON.stringify(records));
    const legacy: string[] = [];
    const again = fresh(dir);
    await again.load({
      beforePersist: async (u) => {
        legacy.push(...u.map((x) => x.id));
      },
    });
    assert.deepEqual(legacy, ['admin']);
    const adminId = again.admin.creationId;
    assert.match(adminId, /^[0-9a-f]{16}$/);
    assert.equal((await onDisk(dir))[0]!.creation_id, adminId);

    // Deleted and created again under the same name: a different id.
    await again.deleteUser(bob.id);
    const bob2 = await again.addUser('bob', 'new password');
    assert.notEqual(bob2.creationId, bob.creationId);
  });

  it('a delete listener runs before the record goes; when it fails the user stays', async () => {
    const users = fresh(dir);
    await users.load();
    await users.addUser('dora', 'dora password');
    let fail = true;
    users.onDelete(async (u) => {
      assert.ok(users.get(u.id), 'still listed while the data goes');
      if (fail) throw new Error('disk full');
    });
    await assert.rejects(users.deleteUser('dora'), /disk full/);
    assert.ok(users.get('dora'));
    fail = false;
    await users.deleteUser('dora');
    assert.equal(users.get('dora'), undefined);
  });
});
