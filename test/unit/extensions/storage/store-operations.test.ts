import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { EncryptedUserStore, UnencryptedUserStore } from '../../../../src/extensions/storage/index.js';
import { requestContext, User } from '../../../../src/managers/users/index.js';
import { Fernet, InvalidTokenError } from '../../../../src/persistence/index.js';
import { alice, bob, readJson, removeDir, setup, writeFile, type Setup } from './_helpers.js';

/** A User as the request context carries it. */
const userRecord = (id: string) => new User({ id, username: id, password: null, is_admin: false, encrypted_user_secret: null, services: [] });
const inRequest = <T>(id: string, fn: () => Promise<T>): Promise<T> => requestContext.run({ user: userRecord(id) }, fn);
const code = (key: string) => (err: unknown) => isSpecterError(err) && err.key === key;

let s: Setup;
before(async () => {
  s = await setup();
});
after(async () => {
  await removeDir(s.dir);
});

describe('per-user stores: the seed operations', () => {
  for (const encrypt of [true, false]) {
    const kind = encrypt ? 'encrypted' : 'unencrypted';
    const user = { id: `ops_${kind}`, username: `ops_${kind}` };

    it(`${kind}: get of an absent entry is {} and creates no file`, async () => {
      s.vault.unlock(user.id);
      const files = s.storage.filesOf(user.username);
      assert.deepEqual(await s.storage.forUser(user).get('devhelp', encrypt), {});
      await assert.rejects(stat(encrypt ? files.encrypted : files.unencrypted), { code: 'ENOENT' });
    });

    it(`${kind}: update {} is a no-op and set {} on an absent entry writes nothing`, async () => {
      const data = s.storage.forUser(user);
      assert.deepEqual(await data.update('devhelp', encrypt, {}), {});
      await data.set('devhelp', encrypt, {});
      const files = s.storage.filesOf(user.username);
      await assert.rejects(stat(encrypt ? files.encrypted : files.unencrypted), { code: 'ENOENT' });
    });

    it(`${kind}: set replaces, update merges shallowly, set {} removes, remove reports`, async () => {
      const data = s.storage.forUser(user);
      await data.set('devhelp', encrypt, { wallet: 'w1', nested: { a: 1 }, drop: true });
      await data.set('devhelp', encrypt, { wallet: 'w2', nested: { a: 1 } });
      assert.deepEqual(await data.get('devhelp', encrypt), { wallet: 'w2', nested: { a: 1 } });

      assert.deepEqual(await data.update('devhelp', encrypt, { nested: { b: 2 }, extra: null }), { wallet: 'w2', nested: { b: 2 }, extra: null });
      assert.deepEqual(await data.update('devhelp', encrypt, { extra: undefined }), { wallet: 'w2', nested: { b: 2 } }, 'undefined drops a key');
      const before = await readFile(encrypt ? s.storage.filesOf(user.username).encrypted : s.storage.filesOf(user.username).unencrypted, 'utf8');
      assert.deepEqual(await data.update('devhelp', encrypt, {}), { wallet: 'w2', nested: { b: 2 } });
      const path = encrypt ? s.storage.filesOf(user.username).encrypted : s.storage.filesOf(user.username).unencrypted;
      assert.equal(await readFile(path, 'utf8'), before, 'update {} wrote nothing');

      await data.set('other', encrypt, { x: 1 });
      await data.set('devhelp', encrypt, {});
      assert.deepEqual(Object.keys(await readJson(path)).sort(), ['encrypted_storage_version', 'other']);
      assert.deepEqual(await data.get('devhelp', encrypt), {});
      assert.equal(await data.remove('other', encrypt), true);
      assert.equal(await data.remove('other', encrypt), false);
      assert.deepEqual(await readJson(path), { encrypted_storage_version: 1 });
    });

    it(`${kind}: bad input is refused with VALIDATION and nothing is written`, async () => {
      const data = s.storage.forUser(user);
      await data.set('keep', encrypt, { k: 1 });
      for (const bad of [[1, 2], null, 'text', new Date(), { n: 1n }]) {
        await assert.rejects(data.set('keep', encrypt, bad as never), code('VALIDATION'));
        await assert.rejects(data.update('keep', encrypt, bad as never), code('VALIDATION'));
      }
      for (const id of ['', 'UPPER', '../x', 'a/b', 'a.b', 'encrypted_storage_version', '__proto__']) {
        await assert.rejects(data.get(id, encrypt), code('VALIDATION'), id);
        await assert.rejects(data.set(id, encrypt, { a: 1 }), code('VALIDATION'), id);
      }
      assert.deepEqual(await data.get('keep', encrypt), { k: 1 });
    });
  }

  it('on disk: Specter layout, a Fernet token of the JSON text / the JSON text itself', async () => {
    const secret = s.vault.unlock(alice.id);
    await s.storage.forUser(alice).set('swan', true, { wallet: 'w1', access_token: 'at' });
    await s.storage.forUser(alice).set('devhelp', false, { wallet: 'w1' });
    const files = s.storage.filesOf('alice');
    assert.equal(files.encrypted, `${s.dir}/users/alice/services.json`);
    assert.equal(files.unencrypted, `${s.dir}/users/alice/unencrypted_services.json`);

    const enc = await readJson(files.encrypted);
    assert.deepEqual(Object.keys(enc), ['swan', 'encrypted_storage_version']);
    assert.equal(enc.encrypted_storage_version, 1);
    assert.match(enc.swan as string, /^gAAAAA[A-Za-z0-9_-]+=*$/);
    assert.deepEqual(JSON.parse(new Fernet(secret).decrypt(enc.swan as string).toString()), { wallet: 'w1', access_token: 'at' });
    assert.deepEqual(await readJson(files.unencrypted), { devhelp: '{"wallet":"w1"}', encrypted_storage_version: 1 });
  });

  it("typed data: an extension's own interface goes in and comes out as Partial<T>", async () => {
    interface SwanData {
      wallet: string;
      access_token?: string;
      expires: number;
    }
    const typed = { id: 'typed', username: 'typed' };
    s.vault.unlock(typed.id);
    const value: SwanData = { wallet: 'w1', expires: 1 };
    await s.storage.forUser(typed).set<SwanData>('swan', true, value);
    const merged: Partial<SwanData> = await s.storage.forUser(typed).update<SwanData>('swan', true, { access_token: 'a' });
    const got: Partial<SwanData> = await s.storage.forUser(typed).get<SwanData>('swan', true);
    assert.deepEqual(got, merged);
    assert.equal(got.access_token, 'a');
  });

  it('a file Specter wiped to {} (no version) is read and gets the version on the next write', async () => {
    s.vault.unlock('wiped');
    const path = s.storage.filesOf('wiped').encrypted;
    await writeFile(path, '{}');
    const data = s.storage.forUser({ id: 'wiped', username: 'wiped' });
    assert.deepEqual(await data.get('swan', true), {});
    await data.set('swan', true, { a: 1 });
    assert.equal((await readJson(path)).encrypted_storage_version, 1);
  });

  it('the two stores are siblings over one abstract base', () => {
    assert.equal(Object.getPrototypeOf(EncryptedUserStore.prototype), Object.getPrototypeOf(UnencryptedUserStore.prototype));
    assert.ok(!(Object.create(UnencryptedUserStore.prototype) instanceof EncryptedUserStore));
  });
});

describe('current-user facade and access rules', () => {
  it('outside a request (and in a request without user) → EXT_NO_USER, never admin', async () => {
    s.vault.unlock('admin');
    for (const encrypt of [true, false]) {
      await assert.rejects(s.storage.getCurrentUserServiceData('devhelp', encrypt), code('EXT_NO_USER'));
      await assert.rejects(s.storage.setCurrentUserServiceData('devhelp', encrypt, { a: 1 }), code('EXT_NO_USER'));
      await assert.rejects(s.storage.updateCurrentUserServiceData('devhelp', encrypt, { a: 1 }), code('EXT_NO_USER'));
      await assert.rejects(
        requestContext.run({ user: undefined }, () => s.storage.getCurrentUserServiceData('devhelp', encrypt)),
        code('EXT_NO_USER'),
      );
    }
    await assert.rejects(stat(s.storage.filesOf('admin').unencrypted), { code: 'ENOENT' });
  });

  it("inside a request the current user's files are used", async () => {
    s.vault.unlock(bob.id);
    await inRequest('bob', () => s.storage.setCurrentUserServiceData('notify', true, { chat: 42 }));
    await inRequest('bob', () => s.storage.updateCurrentUserServiceData('notify', false, { seen: 1 }));
    assert.deepEqual(await s.storage.forUser(bob).get('notify', true), { chat: 42 });
    assert.deepEqual(await inRequest('bob', () => s.storage.getCurrentUserServiceData('notify', false)), { seen: 1 });
    assert.deepEqual(await inRequest('bob', () => s.storage.getCurrentUserServiceData('notify', true)), { chat: 42 });
  });

  it('auth none → USER_SECRET_UNAVAILABLE for encrypted data; unencrypted works; removal works', async () => {
    s.vault.unlock('nobody');
    const nobody = { id: 'nobody', username: 'nobody' };
    await s.storage.forUser(nobody).set('swan', true, { a: 1 });
    s.auth.method = 'none';
    try {
      const err = await s.storage
        .forUser(nobody)
        .get('swan', true)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(isSpecterError(err, 'USER_SECRET_UNAVAILABLE'));
      assert.match(err.message, /needs an authentication method with a password/);
      assert.match(err.hint ?? '', /Settings → Authentication/);
      await assert.rejects(
        inRequest('nobody', () => s.storage.setCurrentUserServiceData('swan', true, { b: 1 })),
        code('USER_SECRET_UNAVAILABLE'),
      );
      await inRequest('nobody', () => s.storage.setCurrentUserServiceData('devhelp', false, { ok: true }));
      assert.deepEqual(await inRequest('nobody', () => s.storage.getCurrentUserServiceData('devhelp', false)), { ok: true });
      assert.equal(await s.storage.forUser(nobody).remove('swan', true), true);
    } finally {
      s.auth.method = 'usernamepassword';
    }
  });

  it('secret not in memory (restart, logout) → USER_SECRET_LOCKED with "log in again"', async () => {
    const carl = { id: 'carl', username: 'carl' };
    s.vault.unlock(carl.id);
    await s.storage.forUser(carl).set('swan', true, { a: 1 });
    s.vault.lock(carl.id);
    const err = await s.storage
      .forUser(carl)
      .get('swan', true)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isSpecterError(err, 'USER_SECRET_LOCKED'));
    assert.equal(err.status, 401);
    assert.match(err.hint ?? '', /[Ll]og in again/);
    await assert.rejects(
      inRequest('carl', () => s.storage.updateCurrentUserServiceData('swan', true, { b: 1 })),
      code('USER_SECRET_LOCKED'),
    );
    assert.deepEqual(await s.storage.forUser(carl).get('swan', false), {}, 'the unencrypted store needs no secret');
  });

  it('withSecret: a per-request secret opens the data without entering the vault', async () => {
    const dora = { id: 'dora', username: 'dora' };
    const secret = s.vault.unlock(dora.id);
    await s.storage.forUser(dora).set('swan', true, { token: 't' });
    s.vault.lock(dora.id);
    const api = s.storage.withSecret(dora, secret);
    assert.deepEqual(await api.get('swan', true), { token: 't' });
    assert.deepEqual(await api.update('swan', true, { more: 1 }), { token: 't', more: 1 });
    assert.equal(s.vault.secretOf(dora.id), undefined);
    await assert.rejects(s.storage.forUser(dora).get('swan', true), code('USER_SECRET_LOCKED'));
  });
});

describe('damaged and foreign data gives typed errors, never garbage', () => {
  it('a tampered token → InvalidTokenError naming the extension and the file; nothing is written', async () => {
    const eve = { id: 'eve', username: 'eve' };
    s.vault.unlock(eve.id);
    await s.storage.forUser(eve).set('swan', true, { secret: 'x' });
    await s.storage.forUser(eve).set('other', true, { fine: 1 });
    const path = s.storage.filesOf('eve').encrypted;
    const file = await readJson(path);
    const token = file.swan as string;
    const i = 40;
    file.swan = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    await writeFile(path, JSON.stringify(file));
    const text = await readFile(path, 'utf8');

    const err = await s.storage
      .forUser(eve)
      .get('swan', true)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof InvalidTokenError);
    assert.equal(err.key, 'CRYPTO_INVALID_TOKEN');
    assert.equal(err.details.extensionId, 'swan');
    assert.equal(err.details.path, path);
    assert.match(err.message, /"swan".*users\/eve\/services\.json/);
    await assert.rejects(s.storage.forUser(eve).update('swan', true, { y: 1 }), InvalidTokenError);
    assert.equal(await readFile(path, 'utf8'), text, 'a failed update writes nothing');
    assert.deepEqual(await s.storage.forUser(eve).get('other', true), { fine: 1 }, 'other entries are unaffected');
    // The damaged entry can be replaced (the key is proven by the other entry) or removed.
    await s.storage.forUser(eve).set('swan', true, { fresh: 1 });
    assert.deepEqual(await s.storage.forUser(eve).get('swan', true), { fresh: 1 });
  });

  it('a wrong key reads nothing and may not write into the file', async () => {
    const fay = { id: 'fay', username: 'fay' };
    s.vault.unlock(fay.id);
    await s.storage.forUser(fay).set('swan', true, { a: 1 });
    const wrong = s.storage.withSecret(fay, Fernet.generateKey());
    await assert.rejects(wrong.get('swan', true), InvalidTokenError);
    await assert.rejects(wrong.set('newext', true, { b: 1 }), (e: unknown) => e instanceof InvalidTokenError && e.details.reason === 'wrong-key');
    await assert.rejects(wrong.update('newext', true, { b: 1 }), InvalidTokenError);
    assert.deepEqual(Object.keys(await readJson(s.storage.filesOf('fay').encrypted)), ['swan', 'encrypted_storage_version']);
    await assert.rejects(s.storage.withSecret(fay, 'not a key').get('swan', true), code('CRYPTO_BAD_KEY'));
  });

  it('entries that are not strings, not JSON or not objects → EXT_STORAGE naming extension and file', async () => {
    const gus = { id: 'gus', username: 'gus' };
    const secret = s.vault.unlock(gus.id);
    const f = new Fernet(secret);
    await writeFile(
      s.storage.filesOf('gus').encrypted,
      JSON.stringify({
        num: 5,
        notjson: f.encrypt('{oops'),
        arr: f.encrypt('[1]'),
        encrypted_storage_version: 1,
      }),
    );
    await writeFile(s.storage.filesOf('gus').unencrypted, JSON.stringify({ obj: { a: 1 }, str: '"s"' }));
    for (const [id, encrypt] of [
      ['num', true],
      ['notjson', true],
      ['arr', true],
      ['obj', false],
      ['str', false],
    ] as const) {
      const err = await s.storage
        .forUser(gus)
        .get(id, encrypt)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(isSpecterError(err, 'EXT_STORAGE'), `${id}: ${String(err)}`);
      assert.equal(err.details.extensionId, id);
      assert.match(String(err.details.path), /users\/gus\/(unencrypted_)?services\.json$/);
    }
  });

  it('encrypted_storage_version other than 1 → ENCRYPTED_STORAGE_VERSION, file untouched', async () => {
    const hal = { id: 'hal', username: 'hal' };
    s.vault.unlock(hal.id);
    const path = s.storage.filesOf('hal').encrypted;
    await writeFile(path, JSON.stringify({ swan: 'gAAAA', encrypted_storage_version: 2 }));
    await assert.rejects(s.storage.forUser(hal).get('swan', true), code('ENCRYPTED_STORAGE_VERSION'));
    await assert.rejects(s.storage.forUser(hal).set('swan', true, { a: 1 }), code('ENCRYPTED_STORAGE_VERSION'));
    assert.equal(JSON.parse(await readFile(path, 'utf8')).encrypted_storage_version, 2);
  });

  it('a file that is not a JSON object → DATA_FILE_CORRUPT, file untouched', async () => {
    const ida = { id: 'ida', username: 'ida' };
    s.vault.unlock(ida.id);
    await writeFile(s.storage.filesOf('ida').unencrypted, '[1,2]');
    await writeFile(s.storage.filesOf('ida').encrypted, '{"swan": "gA');
    await assert.rejects(s.storage.forUser(ida).set('x', false, { a: 1 }), code('DATA_FILE_CORRUPT'));
    await assert.rejects(s.storage.forUser(ida).get('swan', true), code('DATA_FILE_CORRUPT'));
    assert.equal(await readFile(s.storage.filesOf('ida').unencrypted, 'utf8'), '[1,2]');
  });
});

describe('concurrency', () => {
  for (const encrypt of [true, false]) {
    it(`100 concurrent updateCurrentUserServiceData (${encrypt ? 'encrypted' : 'unencrypted'}), one user, one extension: all 100 keys kept`, async () => {
      const id = `busy_${encrypt ? 'e' : 'u'}`;
      s.vault.unlock(id);
      const results = await inRequest(id, () =>
        Promise.all(Array.from({ length: 100 }, (_, i) => s.storage.updateCurrentUserServiceData('jobs', encrypt, { [`k${i}`]: i }))),
      );
      const final = await inRequest(id, () => s.storage.getCurrentUserServiceData('jobs', encrypt));
      assert.equal(Object.keys(final).length, 100);
      for (let i = 0; i < 100; i++) assert.equal(final[`k${i}`], i);
      assert.deepEqual(
        results.map((r) => Object.keys(r).length).sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });
  }
});
