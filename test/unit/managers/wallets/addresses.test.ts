/** The wallet address API with Specter's semantics (specter-behaviour.md §6, the seed's interleaving rule). */
import { AddressJournal } from '../../../../src/managers/wallets/address-journal.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createAddressDeriver } from '../../../../src/bitcoin/index.js';
import { DeviceManager } from '../../../../src/managers/devices/index.js';
import { GAP_LIMIT, WalletManager, type Wallet } from '../../../../src/managers/wallets/index.js';
import { BIP84 } from '../../bitcoin/fixtures.js';
import { addStandardDevices, makeEnv, rejectsWith, type Env } from './helpers.js';

/** What an extension's reserveAddresses() does on top of the wallet API (Specter's algorithm). */
async function reserveAddresses(wallet: Wallet, serviceId: string, label: string, num: number): Promise<string[]> {
  const existing = wallet.getAssociatedAddresses(serviceId, true);
  if (existing.length >= num) return [];
  let index = existing.length ? existing[existing.length - 1]!.index + 2 : wallet.addressIndex + 1;
  const addrs = existing.map((a) => a.address);
  while (addrs.length < num) {
    const a = await wallet.getAddress(index);
    const info = wallet.getAddressInfo(a);
    index += 2;
    if (info.used || info.reserved) continue;
    await wallet.associateAddress(a, serviceId, label);
    addrs.push(a);
  }
  return addrs;
}

describe('wallet addresses', () => {
  let env: Env;
  let wallet: Wallet;
  let expected: string[];
  beforeEach(async () => {
    env = await makeEnv();
    await addStandardDevices(env);
    wallet = await env.wallets.createSingleSig({ name: 'Main', device: 'abandon' });
    expected = createAddressDeriver(wallet.descriptor).deriveSync(0, 0, 200);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('fills the keypool lazily to index + GAP_LIMIT, deriving only what is missing', async () => {
    assert.equal(wallet.toJSON().keypool, GAP_LIMIT);
    assert.equal(await wallet.getAddress(50), expected[50]);
    assert.equal(wallet.toJSON().keypool, 50 + GAP_LIMIT);
    assert.equal(await wallet.getAddress(10), expected[10]);
    assert.equal(wallet.toJSON().keypool, 50 + GAP_LIMIT);
    const page = await wallet.addresses(false, 100, 50);
    assert.deepEqual(
      page.map((a) => a.address),
      expected.slice(100, 150),
    );
    assert.equal(wallet.toJSON().keypool, 50 + GAP_LIMIT, 'a page past the stored list is derived, not stored');
    assert.equal(page[0]!.label, 'Address #100');
    const change = await wallet.addresses(true, 0, 2);
    assert.deepEqual(
      change.map((a) => [a.address, a.label, a.change]),
      [
        [BIP84.change[0], 'Change #0', true],
        [change[1]!.address, 'Change #1', true],
      ],
    );
    await rejectsWith(wallet.addresses(false, 0, 1001), 'LIMIT_EXCEEDED', /At most 1000/);
    await rejectsWith(wallet.getAddress(-1), 'VALIDATION', /address index/);
  });

  it('labels: default computed, custom stored, reset by null or empty', async () => {
    const a = expected[3]!;
    assert.deepEqual(wallet.getAddressInfo(a), {
      address: a,
      index: 3,
      change: false,
      label: 'Address #3',
      customLabel: null,
      used: false,
      serviceId: null,
      reserved: false,
    });
    await wallet.setLabel(a, '  Salary  ');
    assert.equal(wallet.getAddressInfo(a).label, 'Salary');
    await wallet.setLabel(a, '');
    assert.equal(wallet.getAddressInfo(a).label, 'Address #3');
    assert.equal(wallet.getAddressInfo(a).customLabel, null);
    await rejectsWith(wallet.setLabel(a, 'x'.repeat(251)), 'VALIDATION', /maximum is 250/);
    assert.throws(
      () => wallet.getAddressInfo(`${BIP84.change[0]}x`),
      (e: Error & { key?: string }) => e.key === 'ADDRESS_NOT_FOUND' && /not one of the derived addresses of wallet "Main"/.test(e.message),
    );
    await rejectsWith(wallet.setUsed('bc1qnotmine', true), 'ADDRESS_NOT_FOUND', /bc1qnotmine/);
  });

  it('applyLabels(onlyUnlabelled): labels from Core fill empty labels only, even one the user labelled after the list was made', async () => {
    const [a, b, c] = [expected[1]!, expected[2]!, expected[3]!];
    await wallet.setLabel(a, 'Mine');
    // The adopter made its list while b was empty; the user's label for b lands before its write.
    const fromCore = [a, b, c].map((address) => ({ address, label: 'From Core' }));
    await wallet.setLabel(b, 'Typed meanwhile');
    assert.deepEqual(await wallet.applyLabels(fromCore, { onlyUnlabelled: true }), { applied: 1, unchanged: 2, unknown: [] });
    assert.deepEqual(
      [a, b, c].map((x) => wallet.getAddressInfo(x).label),
      ['Mine', 'Typed meanwhile', 'From Core'],
    );
    await wallet.applyLabels([{ address: a, label: 'Import wins' }]);
    assert.equal(wallet.getAddressInfo(a).label, 'Import wins', 'without the option (a labels import) the label is replaced');
  });

  it('the seed example: #0 used, reserve #2, #4, #6, and getNewAddress skips them', async () => {
    await wallet.setUsed(expected[0]!, true);
    assert.equal(await wallet.recomputeReceiveIndex(), 1);
    assert.equal(wallet.addressIndex, 1);
    const reserved = await reserveAddresses(wallet, 'swan', 'Reserved for Swan', 3);
    assert.deepEqual(reserved, [expected[2], expected[4], expected[6]]);
    assert.deepEqual(
      wallet.getAssociatedAddresses('swan', true).map((a) => a.index),
      [2, 4, 6],
    );
    assert.equal(wallet.getAddressInfo(expected[4]!).label, 'Reserved for Swan');
    assert.equal(wallet.getAddressInfo(expected[4]!).reserved, true);
    // Asking again returns nothing new (Specter returns [] when enough are reserved).
    assert.deepEqual(await reserveAddresses(wallet, 'swan', 'Reserved for Swan', 3), []);

    assert.equal(await wallet.currentReceiveAddress(), expected[1]);
    const handedOut = [await wallet.getNewAddress(), await wallet.getNewAddress(), await wallet.getNewAddress(), await wallet.getNewAddress()];
    assert.deepEqual(handedOut, [expected[3], expected[5], expected[7], expected[8]]);
    for (const a of handedOut) assert.equal(wallet.getAddressInfo(a).reserved, false);
    assert.equal(wallet.addressIndex, 8);
  });

  it('recomputeReceiveIndex skips reserved addresses (Specter forgot this)', async () => {
    await wallet.setUsed(expected[4]!, true);
    await wallet.associateAddress(expected[5]!, 'swan');
    await wallet.associateAddress(expected[6]!, 'swan');
    assert.equal(await wallet.recomputeReceiveIndex(), 7);
    assert.equal(await wallet.currentReceiveAddress(), expected[7]);
    // Used addresses are skipped by currentReceiveAddress too.
    await wallet.setUsed(expected[7]!, true);
    assert.equal(await wallet.currentReceiveAddress(), expected[8]);
  });

  it('setUsed keeps GAP_LIMIT addresses derived past the last used one', async () => {
    await wallet.setUsed(expected[15]!, true);
    assert.equal(wallet.toJSON().keypool, 16 + GAP_LIMIT);
    const info = await wallet.setUsed(expected[15]!, false);
    assert.equal(info.used, false);
  });

  it('association: auto labels are released, user labels and used state stay', async () => {
    await wallet.associateAddress(expected[2]!, 'swan', 'Swan buy');
    await wallet.deassociateAddress(expected[2]!);
    assert.deepEqual([wallet.getAddressInfo(expected[2]!).label, wallet.getAddressInfo(expected[2]!).serviceId], ['Address #2', null]);

    await wallet.setLabel(expected[3]!, 'Mine');
    await wallet.associateAddress(expected[3]!, 'swan');
    assert.equal(wallet.getAddressInfo(expected[3]!).label, 'Mine');
    await wallet.deassociateAddress(expected[3]!);
    assert.equal(wallet.getAddressInfo(expected[3]!).label, 'Mine');

    await wallet.associateAddress(expected[9]!, 'swan', 'Swan');
    await wallet.setLabel(expected[9]!, 'Edited by the user');
    await wallet.deassociateAddress(expected[9]!);
    assert.equal(wallet.getAddressInfo(expected[9]!).label, 'Edited by the user');

    await wallet.associateAddress(expected[10]!, 'swan', 'Swan');
    await wallet.associateAddress(expected[11]!, 'swan', 'Swan');
    await wallet.setUsed(expected[10]!, true);
    await wallet.associateAddress((await wallet.addresses(true, 0, 1))[0]!.address, 'swan');
    assert.deepEqual(
      wallet.getAssociatedAddresses('swan', false).map((a) => [a.index, a.change]),
      [
        [10, false],
        [11, false],
        [0, true],
      ],
    );
    assert.deepEqual(
      wallet.getAssociatedAddresses('swan', true).map((a) => a.index),
      [11, 0],
    );
    assert.deepEqual(wallet.getAssociatedAddresses('other'), []);
    await rejectsWith(wallet.associateAddress(expected[12]!, '../x', 'x'), 'VALIDATION', /not a valid service/);
  });

  it('persists labels, usage, reservations and indexes across a restart', async () => {
    await wallet.setLabel(expected[1]!, 'Rent');
    await wallet.setUsed(expected[0]!, true);
    await wallet.associateAddress(expected[2]!, 'swan', 'Swan');
    await wallet.getNewAddress();
    // On disk: the snapshot plus the journal of changes since (address-journal.ts).
    const file = (await new AddressJournal(env.store, path.join(env.wallets.walletsFolder, 'main_addresses.json')).read())!;
    assert.deepEqual(file.receive[2], { index: 2, address: expected[2], label: 'Swan', used: false, service_id: 'swan', label_auto: true });
    const again = await new WalletManager(env.dir, env.store, new DeviceManager(env.dir, env.store)).get('main');
    assert.equal(again.getAddressInfo(expected[1]!).label, 'Rent');
    assert.equal(again.getAddressInfo(expected[0]!).used, true);
    assert.equal(again.getAddressInfo(expected[2]!).serviceId, 'swan');
    assert.equal(again.addressIndex, wallet.addressIndex);
    await again.deassociateAddress(expected[2]!);
    assert.equal(again.getAddressInfo(expected[2]!).label, 'Address #2');
  });
});
