import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { ServiceAnnotationsStorage } from '../../../../src/extensions/storage/index.js';
import { readJson, removeDir, setup, writeFile, type Setup } from './_helpers.js';

const code = (key: string) => (err: unknown) => isSpecterError(err) && err.key === key;
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

let s: Setup;
before(async () => {
  s = await setup();
});
after(async () => {
  await removeDir(s.dir);
});

async function seed(username: string): Promise<{ id: string; username: string }> {
  const user = { id: `id_${username}`, username };
  s.vault.unlock(user.id);
  const data = s.storage.forUser(user);
  await data.set('gone', true, { secret: `${username}-gone` });
  await data.set('kept', true, { secret: `${username}-kept` });
  await data.set('gone', false, { plain: `${username}-gone` });
  await data.set('kept', false, { plain: `${username}-kept` });
  return user;
}

describe('wipeEncrypted (auth switched to none)', () => {
  it('the encrypted file becomes exactly {"encrypted_storage_version": 1}, no .bkp; the unencrypted file is untouched', async () => {
    const user = await seed('wipe');
    const files = s.storage.filesOf('wipe');
    const plainBefore = await readFile(files.unencrypted);
    await s.storage.wipeEncrypted(user);
    assert.deepEqual(await readJson(files.encrypted), { encrypted_storage_version: 1 });
    assert.equal(await readFile(files.encrypted, 'utf8'), '{\n    "encrypted_storage_version": 1\n}');
    assert.equal(await exists(`${files.encrypted}.bkp`), false, 'the old tokens do not survive in a backup');
    assert.deepEqual(await readFile(files.unencrypted), plainBefore);
    assert.deepEqual(await s.storage.forUser(user).get('kept', true), {});
  });
});

describe('purgeExtension (remove and delete data)', () => {
  it('removes the entry from both stores of every user (locked ones too) and its annotation files', async () => {
    const u1 = await seed('p1');
    const u2 = await seed('p2');
    s.vault.lock(u2.id); // a user who is not logged in is purged as well
    const wallets = join(s.dir, 'wallets');
    await mkdir(wallets, { recursive: true });
    for (const [alias, ext] of [
      ['w1', 'gone'],
      ['w2', 'gone'],
      ['w1', 'kept'],
    ] as const) {
      const a = await ServiceAnnotationsStorage.open({ walletsFolder: wallets, walletAlias: alias, serviceId: ext, store: s.store });
      await a.setAddrAnnotations('bcrt1qxyz0000000000000000000', { order: 1 });
    }

    const report = await s.storage.purgeExtension(
      'gone',
      [u1, u2, { username: 'nofiles' }],
      [
        { walletsFolder: wallets, alias: 'w1' },
        { walletsFolder: wallets, alias: 'w2' },
        { walletsFolder: wallets, alias: 'w3' },
      ],
    );
    assert.equal(report.entriesRemovedFrom.length, 4);
    assert.deepEqual(report.annotationFilesDeleted.sort(), [join(wallets, 'w1_gone.json'), join(wallets, 'w2_gone.json')]);
    assert.equal(await exists(join(wallets, 'w1_kept.json')), true);

    for (const user of [u1, u2]) {
      const files = s.storage.filesOf(user.username);
      for (const path of [files.encrypted, files.unencrypted, `${files.encrypted}.bkp`, `${files.unencrypted}.bkp`]) {
        assert.deepEqual(Object.keys(await readJson(path)).sort(), ['encrypted_storage_version', 'kept'], path);
      }
      assert.deepEqual(await s.storage.forUser(user).get('kept', false), { plain: `${user.username}-kept` });
    }
    assert.deepEqual(await s.storage.forUser(u1).get('kept', true), { secret: 'p1-kept' }, 'other extensions still decrypt');
    assert.deepEqual(await s.storage.forUser(u1).get('gone', true), {});
    assert.equal(await exists(s.storage.filesOf('nofiles').encrypted), false, 'no file is created');
  });

  it('a damaged file does not stop the rest; the failure is reported as EXT_STORAGE at the end', async () => {
    const ok = await seed('p3');
    await writeFile(s.storage.filesOf('broken').unencrypted, '{not json');
    const err = await s.storage.purgeExtension('gone', [{ username: 'broken' }, ok], []).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isSpecterError(err, 'EXT_STORAGE'));
    assert.match(err.message, /users\/broken\/unencrypted_services\.json/);
    assert.equal((err.details.report as { entriesRemovedFrom: string[] }).entriesRemovedFrom.length, 2);
    assert.deepEqual(await s.storage.forUser(ok).get('gone', false), {});
    assert.equal(await readFile(s.storage.filesOf('broken').unencrypted, 'utf8'), '{not json');
  });
});

describe('deleteUserFiles and renameUserFiles', () => {
  it('deleteUserFiles removes both files and their backups', async () => {
    const user = await seed('del');
    const files = s.storage.filesOf('del');
    const removed = await s.storage.deleteUserFiles(user);
    assert.deepEqual(removed, [files.encrypted, files.unencrypted]);
    for (const p of [files.encrypted, files.unencrypted, `${files.encrypted}.bkp`, `${files.unencrypted}.bkp`])
      assert.equal(await exists(p), false, p);
    assert.deepEqual(await s.storage.deleteUserFiles(user), []);
  });

  it('renameUserFiles moves both files; data opens under the new name with the same secret', async () => {
    const user = await seed('before');
    const moved = await s.storage.renameUserFiles('before', 'after');
    const to = s.storage.filesOf('after');
    assert.deepEqual(moved, [to.encrypted, to.unencrypted]);
    assert.equal(await exists(s.storage.filesOf('before').encrypted), false);
    assert.equal(await exists(s.storage.filesOf('before').unencrypted), false);
    const renamed = { id: user.id, username: 'after' };
    assert.deepEqual(await s.storage.forUser(renamed).get('kept', true), { secret: 'before-kept' });
    assert.deepEqual(await s.storage.forUser(renamed).get('gone', false), { plain: 'before-gone' });
  });

  it('renameUserFiles refuses when a target exists, and moves nothing', async () => {
    await seed('src');
    const other = { id: 'id_taken', username: 'taken' };
    s.vault.unlock(other.id);
    await s.storage.forUser(other).set('x', false, { mine: true });
    const srcFiles = s.storage.filesOf('src');
    const before = [await readFile(srcFiles.encrypted), await readFile(srcFiles.unencrypted)];
    const err = await s.storage.renameUserFiles('src', 'taken').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isSpecterError(err, 'EXT_STORAGE'));
    assert.match(err.message, /users\/taken\/unencrypted_services\.json/);
    assert.match(err.hint ?? '', /Nothing was moved/);
    assert.deepEqual([await readFile(srcFiles.encrypted), await readFile(srcFiles.unencrypted)], before);
    assert.deepEqual(await s.storage.forUser(other).get('x', false), { mine: true });
    assert.equal(await exists(s.storage.filesOf('taken').encrypted), false);
  });

  it('an interrupted rename (identical copy already at the target) is finished', async () => {
    await seed('half');
    const from = s.storage.filesOf('half');
    const to = s.storage.filesOf('whole');
    await writeFile(to.encrypted, await readFile(from.encrypted, 'utf8')); // the crash happened after this write
    assert.deepEqual(await s.storage.renameUserFiles('half', 'whole'), [to.encrypted, to.unencrypted]);
    assert.equal(await exists(from.encrypted), false);
  });

  it('usernames that would leave the data folder are refused', async () => {
    for (const bad of ['../x', 'a/b', '..', '', 'a\\b']) {
      await assert.rejects(s.storage.renameUserFiles('before', bad), code('VALIDATION'), bad);
      await assert.rejects(s.storage.deleteUserFiles({ username: bad }), code('VALIDATION'), bad);
      await assert.rejects(s.storage.forUser({ id: 'x', username: bad }).get('a', false), code('VALIDATION'), bad);
    }
  });
});
