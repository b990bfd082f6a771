/**
 * The send flow on the Bitcoin Core release users run today (29.3): it knows no `psbt_version`
 * parameter and makes version 0 PSBTs by itself. Create, Core signs, upload, broadcast, mined.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import type { User } from '../../../src/managers/users/index.js';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

describe('send (PSBTs) on Bitcoin Core 29.3', { skip: bitcoindSkip('29') }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  before(async () => {
    core = await startBitcoind(undefined, { which: '29' });
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  it('a version 0 PSBT without asking; signed, broadcast, mined; the balance to the satoshi', async () => {
    assert.ok((await core.rpc<{ version: number }>('getnetworkinfo')).version < 300_000, 'an older Core');
    const keys = keysFor('psbt-core29');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'core29', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.send(await wallet.getAddress(0), 10_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const before = (await t.specter.chain.balance(admin, wallet.alias)).confirmed;

    const view = await t.specter.psbts.create(admin, wallet.alias, { recipients: [{ address: nobody, amount: 4_000_000 }], fee_rate: 3 });
    assert.equal((await core.rpc<{ psbt_version?: number }>('decodepsbt', [view.psbt])).psbt_version ?? 0, 0);
    await signingWallet(core, 'core29-keys', keys);
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: view.psbt, finalize: false }, 'core29-keys');
    assert.equal((await t.specter.psbts.addSignatures(admin, wallet.alias, view.txid, signed.psbt)).complete, true);
    const { txid } = await t.specter.psbts.broadcast(admin, wallet.alias, view.txid);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const row = (await t.specter.chain.history(admin, wallet.alias)).transactions.find((r) => r.txid === txid);
    assert.equal(row?.fee, view.fee);
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).confirmed, before - 4_000_000 - view.fee);
  });
});
