/**
 * A consolidation — the wallet spends its own coins to its own change address — is the one
 * transaction Core's listings leave out of listtransactions (no entry: no output is a "receive",
 * and change is not listed). Against real regtest: an incremental sync finds it through
 * listsinceblock's include_change, and a full sync (a lost cache) through the balance check and
 * listunspent; either way it is a selftransfer, the coins it spent are spent, and the balance is
 * Core's to the satoshi.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { btcToSats } from '../../../src/managers/chain/index.js';
import type { User } from '../../../src/managers/users/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

describe('a consolidation to change, against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app));

  const sync = async (alias: string) => {
    await core.rpc('syncwithvalidationinterfacequeue');
    return t.specter.chain.sync(admin, alias);
  };

  it('is found by an incremental sync and by a full one, as a selftransfer, with the balance to the satoshi', async () => {
    const keys = keysFor('consolidator');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'Consolidator', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    const paid = [await core.send(await wallet.getAddress(0), 30_000_000), await core.send(await wallet.getAddress(1), 20_000_000)];
    await core.mine(1);
    await sync(wallet.alias);

    await signingWallet(core, 'consolidator-keys', keys);
    const change = await wallet.getAddress(0, true);
    const inputs = [];
    for (const txid of paid) {
      const tx = await core.rpc<{ details: Array<{ vout: number; category: string }> }>('gettransaction', [txid], 'consolidator-keys');
      inputs.push({ txid, vout: tx.details.find((d) => d.category === 'receive')!.vout });
    }
    const { txid } = await core.rpc<{ txid: string }>(
      'send',
      { outputs: [{ [change]: 0.5 }], options: { inputs, add_inputs: false, subtract_fee_from_outputs: [0] } },
      'consolidator-keys',
    );
    await core.mine(1);

    const check = async (how: string) => {
      const page = await t.specter.chain.transactions(admin, wallet.alias, { count: 10 });
      const row = page.transactions.find((x) => x.txid === txid);
      assert.ok(row, `${how}: the consolidation is in the history`);
      assert.equal(row.category, 'selftransfer', how);
      const fee = -btcToSats((await core.rpc<{ fee: number }>('gettransaction', [txid], 'consolidator-keys')).fee);
      assert.equal(row.amount, -fee, `${how}: the flow is minus the fee`);
      const coreBalance = await core.rpc<{ mine: { trusted: number } }>('getbalances', [], 'consolidator-keys');
      const balance = await t.specter.chain.balance(admin, wallet.alias);
      assert.equal(balance.confirmed, btcToSats(coreBalance.mine.trusted), `${how}: the balance is Core's`);
      assert.equal(balance.confirmed, 50_000_000 - fee);
      const utxos = await t.specter.chain.utxos(admin, wallet.alias);
      assert.deepEqual(
        utxos.map((u) => u.txid),
        [txid],
        `${how}: only the consolidated coin is unspent`,
      );
    };
    const incremental = await sync(wallet.alias);
    assert.equal(incremental.full, false);
    await check('incremental sync');

    // A lost cache: the next sync reads everything again.
    await t.specter.chain.forget(admin, wallet.alias);
    const full = await sync(wallet.alias);
    assert.equal(full.full, true);
    await check('full sync');
  });
});
