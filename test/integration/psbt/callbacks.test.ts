/**
 * The send flow's extension callbacks against real regtest, heard by the built-in notifications
 * extension: `psbt_created` when a PSBT is made, `transaction_broadcast` when the node took the
 * transaction — each for the wallet's owner only, and only when that user activated the extension.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from '../../../src/managers/users/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

interface Note {
  title: string;
  body: string;
  category: string;
}

describe('send callbacks to extensions (notifications), against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app), { specter: { config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } } });

  const notes = async (): Promise<Note[]> => {
    const ext = t.specter.extensionManager.get('notifications') as unknown as { list(user: User): Promise<Note[]> };
    return ext.list(admin);
  };
  const api = async (method: 'POST', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, res.body);
    return res.json();
  };

  it('a PSBT created and its transaction broadcast each notify the owner who activated notifications', async () => {
    const keys = keysFor('callbacks');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'Heard', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.send(await wallet.getAddress(0), 40_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const payee = await core.rpc<string>('getnewaddress', [], 'faucet');

    // Not activated: nothing is heard.
    const unheard = await api('POST', `/wallets/${wallet.alias}/psbts`, { recipients: [{ address: payee, amount: 1_000_000 }], fee_rate: 2 });
    assert.deepEqual(await notes(), []);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/wallets/${wallet.alias}/psbts/${unheard.txid}` });

    await t.activate('admin', 'notifications');
    const created = await api('POST', `/wallets/${wallet.alias}/psbts`, { recipients: [{ address: payee, amount: 12_345_678 }], fee_rate: 2 });
    const afterCreate = await notes();
    assert.equal(afterCreate.length, 1);
    assert.equal(afterCreate[0]!.title, 'PSBT created in wallet heard');
    assert.match(afterCreate[0]!.body, new RegExp(`0\\.12345678 BTC to ${payee}; fee 0\\.0000\\d{4} BTC`));

    await signingWallet(core, 'callbacks-keys', keys);
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: created.psbt, sign: true, finalize: false }, 'callbacks-keys');
    await api('POST', `/wallets/${wallet.alias}/psbts/${created.txid}/signatures`, { psbt: signed.psbt });
    const sent = await api('POST', `/wallets/${wallet.alias}/psbts/${created.txid}/broadcast`);
    const all = await notes();
    const broadcast = all.find((n) => n.title === 'Transaction sent from wallet heard');
    assert.ok(broadcast, JSON.stringify(all));
    assert.equal(broadcast.category, 'success');
    assert.match(
      broadcast.body,
      new RegExp(`^0\\.12345678 BTC plus a fee of 0\\.0000${String(created.fee).padStart(4, '0')} BTC; txid ${sent.txid}\\.$`),
    );
  });
});
