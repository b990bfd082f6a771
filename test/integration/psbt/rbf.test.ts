/**
 * Replace-by-fee against regtest: an unconfirmed send bumped (the same payment, a higher fee) and
 * one cancelled (everything back to the wallet's change), each a new pending PSBT signed again,
 * broadcast and mined; the history shows the replacement once, not the replaced transaction, and
 * the balance agrees to the satoshi. A pending replacement survives syncs while the original waits
 * in the mempool. Refusals: a confirmed transaction, a fee rate that does not pay for the
 * replacement, a transaction that is not the wallet's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import type { User } from '../../../src/managers/users/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

interface View {
  txid: string;
  psbt: string;
  fee: number;
  replaces: string | null;
  inputs: Array<{ txid: string; vout: number }>;
  outputs: Array<{ address: string; amount: number; ownership: string }>;
}

describe('replace-by-fee against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app));

  const api = async (url: string, payload?: object) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  const sync = async (alias: string) => {
    await core.rpc('syncwithvalidationinterfacequeue');
    return t.specter.chain.sync(admin, alias);
  };
  /** Sign with the Core signer, upload, broadcast; resolves to the broadcast txid. */
  const signAndSend = async (alias: string, view: View): Promise<string> => {
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: view.psbt, finalize: false }, 'rbf-keys');
    const merged = await api(`/wallets/${alias}/psbts/${view.txid}/signatures`, { psbt: signed.psbt });
    assert.equal(merged.body.complete, true, JSON.stringify(merged.body));
    const sent = await api(`/wallets/${alias}/psbts/${view.txid}/broadcast`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    return sent.body.txid as string;
  };
  const visible = async (alias: string) => (await t.specter.chain.history(admin, alias)).transactions.map((r) => r.txid);

  it('bump and cancel: new PSBTs signed again; the history shows each replacement once', async () => {
    const keys = keysFor('psbt-rbf');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'rbf', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await signingWallet(core, 'rbf-keys', keys);
    await core.send(await wallet.getAddress(0), 20_000_000);
    await core.send(await wallet.getAddress(1), 20_000_000);
    await core.mine(1);
    await sync(wallet.alias);
    const start = (await t.specter.chain.balance(admin, wallet.alias)).confirmed;

    // Bump.
    const created = await api(`/wallets/${wallet.alias}/psbts`, { recipients: [{ address: nobody, amount: 5_000_000 }], fee_rate: 2 });
    const original = await signAndSend(wallet.alias, created.body as View);
    await sync(wallet.alias);
    const bump = await api(`/wallets/${wallet.alias}/transactions/${original}/bump`, { fee_rate: 10 });
    assert.equal(bump.status, 201, JSON.stringify(bump.body));
    const bumped = bump.body as View;
    assert.equal(bumped.replaces, original);
    assert.ok(bumped.fee > (created.body as View).fee * 4, `fee ${bumped.fee} after ${(created.body as View).fee}`);
    assert.deepEqual(bumped.inputs, (created.body as View).inputs, 'the same coins');
    assert.deepEqual(
      bumped.outputs.filter((o) => o.ownership === 'external').map((o) => [o.address, o.amount]),
      [[nobody, 5_000_000]],
      'the same payment',
    );
    assert.equal((await core.rpc<{ psbt_version?: number }>('decodepsbt', [bumped.psbt])).psbt_version ?? 0, 0);
    await sync(wallet.alias);
    assert.deepEqual(
      (await t.specter.psbts.list(admin, wallet.alias)).map((p) => p.txid),
      [bumped.txid],
      'the replacement stays pending while the original waits in the mempool',
    );
    const replacement = await signAndSend(wallet.alias, bumped);
    await core.mine(1);
    await sync(wallet.alias);
    let shown = await visible(wallet.alias);
    assert.ok(shown.includes(replacement));
    assert.ok(!shown.includes(original), 'the replaced transaction is not shown');
    const afterBump = (await t.specter.chain.balance(admin, wallet.alias)).confirmed;
    assert.equal(afterBump, start - 5_000_000 - bumped.fee);

    // A confirmed transaction cannot be replaced; a fee that does not pay for a replacement is refused.
    const confirmed = await api(`/wallets/${wallet.alias}/transactions/${replacement}/bump`, { fee_rate: 20 });
    assert.equal(confirmed.body.error?.code, 'SPECTER_ERR_PSBT_REJECTED', JSON.stringify(confirmed.body));
    const unknown = await api(`/wallets/${wallet.alias}/transactions/${'a'.repeat(64)}/bump`, { fee_rate: 20 });
    assert.equal(unknown.body.error?.code, 'SPECTER_ERR_NOT_FOUND', JSON.stringify(unknown.body));

    // Cancel.
    const second = await api(`/wallets/${wallet.alias}/psbts`, { recipients: [{ address: nobody, amount: 3_000_000 }], fee_rate: 5 });
    const toCancel = await signAndSend(wallet.alias, second.body as View);
    const low = await api(`/wallets/${wallet.alias}/transactions/${toCancel}/cancel`, { fee_rate: 5 });
    assert.equal(low.body.error?.code, 'SPECTER_ERR_PSBT_FEE_RATE', JSON.stringify(low.body));
    const cancel = await api(`/wallets/${wallet.alias}/transactions/${toCancel}/cancel`, { fee_rate: 12 });
    assert.equal(cancel.status, 201, JSON.stringify(cancel.body));
    const cancelling = cancel.body as View;
    assert.equal(cancelling.replaces, toCancel);
    assert.deepEqual(cancelling.inputs, (second.body as View).inputs);
    assert.equal(cancelling.outputs.length, 1);
    assert.equal(cancelling.outputs[0]!.ownership, 'change', "everything goes back to the wallet's change");
    const cancelled = await signAndSend(wallet.alias, cancelling);
    await core.mine(1);
    await sync(wallet.alias);
    shown = await visible(wallet.alias);
    assert.ok(shown.includes(cancelled));
    assert.ok(!shown.includes(toCancel), 'the cancelled send is not shown');
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).confirmed, afterBump - cancelling.fee, 'only the fee is gone');
  });
});
