/**
 * Per-user service files live in a folder per user, so no username produces another user's file
 * name; Specter Desktop's `<username>_services.json` names are copied there once, with the
 * `bob` / `bob_unencrypted` ambiguity resolved by content or not at all.
 */
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { classifyServiceFile, looksLikeFernetToken } from '../../../../src/extensions/storage/index.js';
import { Fernet } from '../../../../src/persistence/index.js';
import { readJson, removeDir, setup, tempDir, type Setup } from './_helpers.js';
import { makeSpecter, removeAll } from '../../managers/_helpers.js';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('service files: one folder per user', () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });
  after(async () => {
    await removeDir(s.dir);
  });

  it('"bob" and "bob_unencrypted" never share a file: purging one leaves the other\'s data and backups alone', async () => {
    const bob = { id: 'bob', username: 'bob' };
    const evil = { id: 'bob_unencrypted', username: 'bob_unencrypted' };
    s.vault.unlock(bob.id);
    s.vault.unlock(evil.id);
    // Two writes each, so every file has a .bkp holding data too.
    for (const n of [1, 2]) {
      await s.storage.forUser(bob).set('notes', false, { text: `bob plain ${n}` });
      await s.storage.forUser(evil).set('notes', true, { text: `evil secret ${n}` });
    }
    const bobFiles = s.storage.filesOf(bob);
    const evilFiles = s.storage.filesOf(evil);
    const all = [bobFiles.encrypted, bobFiles.unencrypted, evilFiles.encrypted, evilFiles.unencrypted];
    assert.equal(new Set(all).size, 4, 'four different files');
    assert.equal(bobFiles.unencrypted, join(s.dir, 'users', 'bob', 'unencrypted_services.json'));
    assert.equal(evilFiles.encrypted, join(s.dir, 'users', 'bob_unencrypted', 'services.json'));

    const bobPlain = await readFile(bobFiles.unencrypted, 'utf8');
    const bobBackup = await readFile(`${bobFiles.unencrypted}.bkp`, 'utf8');
    const report = await s.storage.purgeExtension('notes', [evil], []);
    assert.deepEqual(report.entriesRemovedFrom, [evilFiles.encrypted]);
    assert.equal(await readFile(bobFiles.unencrypted, 'utf8'), bobPlain);
    assert.equal(await readFile(`${bobFiles.unencrypted}.bkp`, 'utf8'), bobBackup, 'the .bkp too');
    assert.deepEqual(await s.storage.forUser(bob).get('notes', false), { text: 'bob plain 2' });
    assert.deepEqual(await s.storage.forUser(evil).get('notes', true), {});

    // Deleting the one user's files does not touch the other's either.
    await s.storage.deleteUserFiles(evil);
    assert.equal(await exists(join(s.dir, 'users', 'bob_unencrypted')), false);
    assert.deepEqual(await s.storage.forUser(bob).get('notes', false), { text: 'bob plain 2' });
    assert.equal(await readFile(`${bobFiles.unencrypted}.bkp`, 'utf8'), bobBackup);
  });

  it('content tells the kinds apart: Fernet tokens vs JSON text', () => {
    const token = new Fernet(Fernet.generateKey()).encrypt('{"a":1}');
    assert.equal(looksLikeFernetToken(token), true);
    assert.equal(looksLikeFernetToken('{"a":1}'), false);
    assert.equal(looksLikeFernetToken('gAAAAA'), false);
    assert.equal(classifyServiceFile({ swan: token, encrypted_storage_version: 1 }), 'encrypted');
    assert.equal(classifyServiceFile({ devhelp: '{"wallet":"w1"}', x: null, encrypted_storage_version: 1 }), 'unencrypted');
    assert.equal(classifyServiceFile({ encrypted_storage_version: 1 }), 'empty');
    assert.equal(classifyServiceFile({ a: token, b: '{}' }), 'unknown');
    assert.equal(classifyServiceFile([1]), 'unknown');
  });
});

describe("Specter's legacy file names are copied on load", () => {
  let dir: string;
  const secret = Fernet.generateKey();
  const token = new Fernet(secret).encrypt('{"access_token":"bob-secret"}');
  const user = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    username: id,
    password: null,
    is_admin: id === 'admin',
    encrypted_user_secret: null,
    services: [],
    ...extra,
  });

  before(async () => {
    dir = await tempDir('specter-legacy-');
    // A Specter Desktop data folder: records without creation ids, files under Specter's names.
    await writeFile(
      join(dir, 'users.json'),
      JSON.stringify([user('admin'), user('bob'), user('bob_unencrypted'), user('dan'), user('dan_unencrypted'), user('erin_unencrypted')]),
    );
    const put = (name: string, content: unknown) => writeFile(join(dir, name), JSON.stringify(content));
    await put('admin_unencrypted_services.json', { devhelp: '{"wallet":"w1"}', encrypted_storage_version: 1 });
    await put('bob_services.json', { swan: token, encrypted_storage_version: 1 });
    // Bob's unencrypted file, which is also the name of bob_unencrypted's encrypted file: JSON text, so bob's.
    await put('bob_unencrypted_services.json', { devhelp: '{"wallet":"bobs"}', encrypted_storage_version: 1 });
    await put('bob_unencrypted_unencrypted_services.json', { notes: '{"text":"evil plain"}', encrypted_storage_version: 1 });
    // Ambiguous name and content that does not tell: neither dan nor dan_unencrypted gets it.
    await put('dan_unencrypted_services.json', { odd: 42, encrypted_storage_version: 1 });
    // A file left by a user Specter deleted ("erin"): JSON text is never erin_unencrypted's encrypted file.
    await put('erin_unencrypted_services.json', { notes: '{"text":"deleted erin"}', encrypted_storage_version: 1 });
  });
  after(async () => {
    await removeAll(dir);
  });

  it("copies each file into its owner's folder, keeps the originals, resolves bob/bob_unencrypted by content", async () => {
    const originals = await readFile(join(dir, 'bob_unencrypted_services.json'), 'utf8');
    const specter = await makeSpecter(dir);
    try {
      const users = join(dir, 'users');
      assert.deepEqual(await readJson(join(users, 'admin', 'unencrypted_services.json')), {
        devhelp: '{"wallet":"w1"}',
        encrypted_storage_version: 1,
      });
      assert.deepEqual(await readJson(join(users, 'bob', 'services.json')), { swan: token, encrypted_storage_version: 1 });
      assert.deepEqual(await readJson(join(users, 'bob', 'unencrypted_services.json')), {
        devhelp: '{"wallet":"bobs"}',
        encrypted_storage_version: 1,
      });
      assert.equal(await exists(join(users, 'bob_unencrypted', 'services.json')), false, "bob's plain file is not bob_unencrypted's encrypted file");
      assert.deepEqual(await readJson(join(users, 'bob_unencrypted', 'unencrypted_services.json')), {
        notes: '{"text":"evil plain"}',
        encrypted_storage_version: 1,
      });
      assert.equal(await exists(join(users, 'dan', 'unencrypted_services.json')), false);
      assert.equal(await exists(join(users, 'dan_unencrypted', 'services.json')), false);
      assert.equal(await exists(join(users, 'erin_unencrypted', 'services.json')), false);
      assert.equal(await readFile(join(dir, 'bob_unencrypted_services.json'), 'utf8'), originals, 'originals are kept');

      const bob = specter.userManager.getByUsername('bob')!;
      assert.deepEqual(await specter.services.storage.forUser(bob).get('devhelp', false), { wallet: 'bobs' });
      const evil = specter.userManager.getByUsername('bob_unencrypted')!;
      assert.deepEqual(await specter.services.storage.forUser(evil).get('notes', false), { text: 'evil plain' });
      for (const u of specter.userManager.list()) assert.match(u.creationId, /^[0-9a-f]{16}$/, 'creation ids saved after the copy');
    } finally {
      await specter.close();
    }
  });

  it('runs once: a user created afterwards never picks up a file Specter left under their name', async () => {
    const first = await makeSpecter(dir);
    await first.userManager.addUser('frank', 'frank password');
    await first.close();
    await writeFile(join(dir, 'frank_unencrypted_services.json'), JSON.stringify({ notes: '{"text":"an old frank"}' }));
    const second = await makeSpecter(dir);
    try {
      assert.equal(await exists(join(dir, 'users', 'frank', 'unencrypted_services.json')), false);
      assert.deepEqual(await second.services.storage.forUser(second.userManager.getByUsername('frank')!).get('notes', false), {});
    } finally {
      await second.close();
    }
  });
});
