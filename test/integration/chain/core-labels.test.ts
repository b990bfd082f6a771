/**
 * Labels coming back from Bitcoin Core, against a real regtest bitcoind: a label set on the Core
 * wallet (`setlabel`) shows in the wallet after a full sync (a rescan), a local label is never
 * overwritten, an incremental sync does not ask (it costs one call per label), Core's labels for
 * addresses the wallet does not have are ignored, and pullCoreLabels counts what it set.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import { pullCoreLabels } from '../../../src/managers/chain/index.js';
import type { User } from '../../../src/managers/users/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';

function descriptorFor(name: string): string {
  const root = bip32.fromSeed(createHash('sha256').update(`core-labels-${name}`).digest(), NETWORKS.test);
  const fp = Buffer.from(root.fingerprint).toString('hex');
  return `wpkh([${fp}/84h/1h/0h]${root.derivePath("m/84'/1'/0'").neutered().toBase58()}/<0;1>/*)`;
}

describe('labels back from Core against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app));

  it('a label set on Core shows after a full sync; a local label wins; an incremental sync does not ask', async () => {
    const wallet = await t.specter.walletsOf(admin).importDescriptor(descriptorFor('labels'), { name: 'labels', network: 'test' });
    const { coreWallet } = await t.specter.chain.link(admin, wallet.alias);
    const first = await t.specter.chain.sync(admin, wallet.alias);
    assert.equal(first.full, true);
    const [a2, a3, a4, c1] = [await wallet.getAddress(2), await wallet.getAddress(3), await wallet.getAddress(4), await wallet.getAddress(1, true)];
    const setCoreLabel = (address: string, label: string) => core.rpc('setlabel', [address, label], coreWallet);

    await setCoreLabel(a2, 'Rent from Core');
    await setCoreLabel(c1, 'Change seen by Core');
    // Local first (wallet.setLabel does not mirror to Core), then a different one on Core.
    await wallet.setLabel(a3, 'Local label');
    await setCoreLabel(a3, 'Core label for #3');
    // A Core label on an address that is not the wallet's is not the wallet's business.
    const foreign = await core.rpc<string>('getnewaddress', [], 'faucet');
    await core.rpc('setlabel', [foreign, 'Faucet'], coreWallet);

    const incremental = await t.specter.chain.sync(admin, wallet.alias);
    assert.equal(incremental.full, false);
    assert.equal(wallet.getAddressInfo(a2).customLabel, null, 'an incremental sync does not read labels');

    const rescanned = await t.specter.chain.rescan(admin, wallet.alias, 0);
    assert.equal(rescanned.full, true);
    assert.equal(wallet.getAddressInfo(a2).label, 'Rent from Core');
    assert.equal(wallet.getAddressInfo(c1).label, 'Change seen by Core');
    assert.equal(wallet.getAddressInfo(a3).label, 'Local label', 'the local label wins');
    assert.equal(wallet.getAddressInfo(a4).customLabel, null);
    assert.equal(wallet.findAddress(foreign), undefined);
    // Kept on disk (one write), as a reloaded wallet shows.
    const reloaded = await t.specter.walletsOf(admin).get(wallet.alias);
    assert.equal(reloaded.getAddressInfo(a2).label, 'Rent from Core');

    // The History shows a payment to a Core-labelled address under that label.
    await setCoreLabel(a4, 'Paid by a friend');
    assert.equal(await pullCoreLabels(core.client.wallet(coreWallet), wallet), 1, 'only the new one is set');
    assert.equal(await pullCoreLabels(core.client.wallet(coreWallet), wallet), 0, 'nothing left to adopt');
    const txid = await core.send(a4, 1_000_000);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const { transactions } = await t.specter.chain.transactions(admin, wallet.alias);
    assert.equal(transactions.find((x) => x.txid === txid)?.label, 'Paid by a friend');
  });
});
