/**
 * Wallets, devices and extension data belong to a user: two users cannot see, change or delete
 * each other's, whether the code reaches the managers through the request context
 * (`specter.walletManager`, as every route does) or names the user (`specter.walletsOf(user)`).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requestContext, type User } from '../../../src/managers/users/index.js';
import type { Specter } from '../../../src/specter/index.js';
import { BIP84, MULTISIG_KEYS } from '../bitcoin/fixtures.js';
import { exists, makeSpecter, rejectsWith, removeAll, tempDir } from './_helpers.js';

const DESCRIPTOR = `wpkh([73c5da0a/84h/0h/0h]${BIP84.xpub}/<0;1>/*)`;
const key = (k: { fingerprint: string; path: string; xpub: string }) => `[${k.fingerprint}/${k.path.slice(2)}]${k.xpub}`;
const as = <T>(user: User | undefined, fn: () => Promise<T>): Promise<T> => requestContext.run({ user }, fn);

describe('wallets and devices belong to a user', () => {
  let dir: string;
  let specter: Specter;
  let alice: User;
  let bob: User;

  before(async () => {
    dir = await tempDir();
    // A wallet from before ownership existed: it stays the admin's, where it is.
    const seed = await makeSpecter(dir);
    await seed.walletManager.importDescriptor(DESCRIPTOR, { name: 'Shared before' });
    await seed.close();
    specter = await makeSpecter(dir);
    alice = await specter.userManager.addUser('alice', 'alice password');
    bob = await specter.userManager.addUser('bob', 'bobs password');
  });
  after(async () => {
    await specter.close();
    await removeAll(dir);
  });

  it("existing data is the admin's; each user starts empty and keeps their own in wallets_<id>/devices_<id>", async () => {
    assert.deepEqual(
      (await specter.walletManager.list()).map((w) => w.alias),
      ['shared-before'],
      'outside a request: the admin',
    );
    assert.deepEqual(await as(alice, async () => (await specter.walletManager.list()).map((w) => w.alias)), []);
    assert.deepEqual(
      (await specter.walletsOf(bob).list()).map((w) => w.alias),
      [],
    );

    const made = await as(alice, async () => {
      await specter.deviceManager.create('Alice CC', 'coldcard', key(MULTISIG_KEYS.abandon));
      return specter.walletManager.importDescriptor(DESCRIPTOR, { name: 'Mine' });
    });
    assert.equal(made.files.record, path.join(dir, 'wallets_alice', 'mine.json'));
    assert.ok(await exists(path.join(dir, 'devices_alice', 'alice-cc.json')));
    assert.deepEqual(
      (await readdir(path.join(dir, 'wallets'))).filter((f) => f === 'mine.json'),
      [],
    );
    // The same manager either way.
    assert.equal(specter.walletsOf(alice), specter.walletsOf(alice));
    assert.deepEqual(
      (await specter.walletsOf(alice).list()).map((w) => w.alias),
      ['mine'],
    );
  });

  it("bob can neither see, read, change nor delete alice's wallets and devices", async () => {
    await as(bob, async () => {
      assert.deepEqual(
        (await specter.walletManager.list()).map((w) => w.alias),
        [],
      );
      assert.deepEqual(await specter.deviceManager.list(), []);
      await rejectsWith(specter.walletManager.get('mine'), 'WALLET_NOT_FOUND');
      await rejectsWith(specter.walletManager.remove('mine'), 'WALLET_NOT_FOUND');
      await rejectsWith(specter.walletManager.exportBackup('mine'), 'WALLET_NOT_FOUND');
      await rejectsWith(specter.deviceManager.get('alice-cc'), 'DEVICE_NOT_FOUND');
      await rejectsWith(specter.deviceManager.remove('alice-cc'), 'DEVICE_NOT_FOUND');
      await rejectsWith(specter.deviceManager.rename('alice-cc', 'Mine now'), 'DEVICE_NOT_FOUND');
      await rejectsWith(specter.services.wallets.get('mine'), 'WALLET_NOT_FOUND');
      // The same alias and descriptor in bob's own folder is his wallet, not alice's.
      const his = await specter.walletManager.importDescriptor(DESCRIPTOR, { name: 'Mine' });
      assert.equal(his.files.record, path.join(dir, 'wallets_bob', 'mine.json'));
      await his.setLabel(await his.getAddress(0), 'bob label');
    });
    const hers = await specter.walletsOf(alice).get('mine');
    assert.equal(hers.getAddressInfo(await hers.getAddress(0)).customLabel, null, "bob's label is on his copy only");
    assert.equal((await specter.devicesOf(alice).get('alice-cc')).name, 'Alice CC');
    // The admin (outside a request) sees neither.
    assert.deepEqual(
      (await specter.walletManager.list()).map((w) => w.alias),
      ['shared-before'],
    );
    assert.deepEqual(await as(bob, async () => specter.walletManager.walletsFolder), path.join(dir, 'wallets_bob'));
  });

  it('a request nobody is logged in to has no wallets', async () => {
    await rejectsWith(
      as(undefined, async () => specter.walletManager.list()),
      'AUTH_REQUIRED',
    );
    await rejectsWith(
      as(undefined, async () => specter.deviceManager.list()),
      'AUTH_REQUIRED',
    );
  });

  it('extension data: each user reads and removes only their own', async () => {
    await as(alice, () => specter.services.storage.setCurrentUserServiceData('notes', false, { text: 'alice only' }));
    assert.deepEqual(await as(bob, () => specter.services.storage.getCurrentUserServiceData('notes', false)), {});
    assert.equal(await as(bob, () => specter.services.storage.removeCurrentUserServiceData('notes', false)), false);
    assert.deepEqual(await specter.services.storage.forUser(alice).get('notes', false), { text: 'alice only' });
  });

  it('deleting a user removes their wallets, devices and extension data; the name created again starts empty', async () => {
    const carol = await specter.userManager.addUser('carol', 'carols password');
    await as(carol, async () => {
      await specter.deviceManager.create('Carol CC', 'coldcard', key(MULTISIG_KEYS.legal));
      await specter.walletManager.importDescriptor(DESCRIPTOR, { name: 'Carols' });
      await specter.services.storage.setCurrentUserServiceData('notes', false, { text: 'carol' });
    });
    for (const f of ['wallets_carol', 'devices_carol', 'users/carol']) assert.ok(await exists(path.join(dir, f)), f);
    await specter.userManager.deleteUser('carol');
    for (const f of ['wallets_carol', 'devices_carol', 'users/carol']) assert.equal(await exists(path.join(dir, f)), false, f);
    await rejectsWith(
      Promise.resolve().then(() => specter.walletsOf(carol)),
      'USER_NOT_FOUND',
    );
    // Nobody else lost anything.
    assert.deepEqual(
      (await specter.walletsOf(alice).list()).map((w) => w.alias),
      ['mine'],
    );
    assert.deepEqual(
      (await specter.walletManager.list()).map((w) => w.alias),
      ['shared-before'],
    );

    const again = await specter.userManager.addUser('carol', 'new carol password');
    assert.notEqual(again.creationId, carol.creationId);
    assert.deepEqual(await specter.walletsOf(again).list(), []);
    assert.deepEqual(await specter.devicesOf(again).list(), []);
    assert.deepEqual(await specter.services.storage.forUser(again).get('notes', false), {});
  });

  it("admins share the admin folders (Specter's rule); deleting one leaves them to the others", async () => {
    const second = await specter.userManager.addUser('root2', 'root2 password', true);
    assert.equal(specter.walletsOf(second), specter.walletsOf(specter.userManager.admin));
    await specter.userManager.deleteUser('root2');
    assert.deepEqual(
      (await specter.walletManager.list()).map((w) => w.alias),
      ['shared-before'],
    );
    assert.ok(await exists(path.join(dir, 'wallets', 'shared-before.json')));
  });

  it('a user whose id cannot name a folder gets no folder outside the data folder', async () => {
    const rogue = { id: '../outside', isAdmin: false };
    (specter.userManager as unknown as { users: unknown[] }).users.push({
      id: '../outside',
      username: 'rogue',
      password: null,
      is_admin: false,
      encrypted_user_secret: null,
      services: [],
    });
    await rejectsWith(
      Promise.resolve().then(() => specter.walletsOf(rogue)),
      'USER_INVALID',
    );
  });
});
