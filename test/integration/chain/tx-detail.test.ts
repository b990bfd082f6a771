/**
 * The transaction page and `GET /api/v1/wallets/:alias/transactions/:txid` against a real regtest
 * bitcoind: every input and output with its address, satoshis and whose it is (receive, change,
 * external), the fee as the payer's Core wallet reports it, fee rate = fee / vsize, the sizes as
 * Core and bitcoinjs-lib compute them, the raw hex; unconfirmed and confirmed (two different ways
 * of finding the spent outputs); a spend signed by a Core wallet holding the wallet's keys (inputs
 * "receive", change "change"); and the page while the node is away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor, transactionSizes } from '../../../src/bitcoin/index.js';
import { btcToSats, satsToBtc, type TxDetail } from '../../../src/managers/chain/index.js';
import type { User } from '../../../src/managers/users/index.js';
import type { TestSpecter } from '../../../src/testing/index.js';
import { bitcoindSkip, regtestApp, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

describe('transaction details against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  regtestApp((app) => ({ core, t, admin } = app));

  const sync = async (alias: string) => {
    await core.rpc('syncwithvalidationinterfacequeue');
    return t.specter.chain.sync(admin, alias);
  };
  const newWallet = async (name: string) => {
    const keys = keysFor(name);
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name, network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    return { wallet, keys };
  };
  const apiDetail = async (alias: string, txid: string): Promise<TxDetail> => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${alias}/transactions/${txid}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().transaction as TxDetail;
  };
  /** What Core itself says of the transaction's sizes, and the fee its payer's wallet paid. */
  const coreFacts = async (txid: string, payer: string) => {
    const paid = await core.rpc<{ fee: number; hex: string }>('gettransaction', [txid], payer);
    const decoded = await core.rpc<{ size: number; vsize: number; weight: number }>('decoderawtransaction', [paid.hex]);
    return { fee: -btcToSats(paid.fee), hex: paid.hex, ...decoded };
  };

  it('a payment from the faucet: the wallet output is "receive" to the satoshi, the rest external; fee rate = fee / vsize', async () => {
    const { wallet } = await newWallet('received');
    const payTo = await wallet.getAddress(0);
    const amount = 12_345_679;
    const txid = await core.send(payTo, amount);
    await sync(wallet.alias);
    const facts = await coreFacts(txid, 'faucet');
    const faucetTx = await core.rpc<{ decoded: { vin: Array<{ txid: string; vout: number }> } }>('gettransaction', { txid, verbose: true }, 'faucet');

    const check = (d: TxDetail, confirmed: boolean) => {
      assert.equal(d.txid, txid);
      assert.equal(d.category, 'receive');
      assert.equal(d.amount, amount);
      assert.equal(d.hex, facts.hex);
      assert.deepEqual({ size: d.size, vsize: d.vsize, weight: d.weight }, { size: facts.size, vsize: facts.vsize, weight: facts.weight });
      assert.deepEqual(transactionSizes(d.hex), { size: facts.size, vsize: facts.vsize, weight: facts.weight }, 'bitcoinjs-lib agrees with Core');
      assert.equal(d.fee, facts.fee, 'the fee the faucet paid');
      assert.equal(d.fee_rate, Math.round((facts.fee * 10) / facts.vsize) / 10);
      assert.equal(d.coinbase, false);
      const mine = d.outputs.filter((o) => o.ownership === 'receive');
      assert.deepEqual(mine, [{ vout: mine[0]!.vout, address: payTo, amount, ownership: 'receive' }]);
      assert.ok(
        d.outputs.some((o) => o.ownership === 'external' && o.address !== null),
        'the faucet change is external',
      );
      assert.equal(d.outputs.length, 2);
      assert.deepEqual(
        d.inputs.map((i) => `${i.txid}:${i.vout}`),
        faucetTx.decoded.vin.map((i) => `${i.txid}:${i.vout}`),
      );
      for (const i of d.inputs) {
        assert.equal(i.ownership, 'external');
        assert.match(i.address!, /^bcrt1/);
        assert.ok(Number.isSafeInteger(i.amount) && i.amount! > 0);
      }
      const totalIn = d.inputs.reduce((s, i) => s + i.amount!, 0);
      assert.equal(totalIn - d.outputs.reduce((s, o) => s + o.amount, 0), facts.fee, 'inputs − outputs = fee, to the satoshi');
      assert.equal(d.confirmations, confirmed ? 1 : 0);
      assert.equal(d.blockhash === null, !confirmed);
      assert.equal(d.label, 'Address #0');
    };

    // Unconfirmed: the spent coins are found in the chain's UTXO set (no txindex here).
    check(await apiDetail(wallet.alias, txid), false);
    const [blockhash] = await core.mine(1);
    await sync(wallet.alias);
    // Confirmed: from the block's undo data.
    const confirmed = await apiDetail(wallet.alias, txid);
    check(confirmed, true);
    assert.equal(confirmed.blockhash, blockhash);
    assert.equal(confirmed.blockheight, (await core.rpc<{ height: number }>('getblockheader', [blockhash])).height);

    const page = await t.client().get(`/spc/wallets/${wallet.alias}/tx/${txid}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`data-ownership="receive"`));
    assert.match(page.body, new RegExp(`<td class="num" data-sats="${amount}">0\\.12345679 BTC</td>`));
    assert.match(page.body, new RegExp(`id="tx-fee" data-sats="${facts.fee}"`));
    assert.match(page.body, new RegExp(`id="tx-fee-rate">${confirmed.fee_rate} sat/vB`));
    assert.match(page.body, new RegExp(`${facts.size} bytes · ${facts.vsize} vB · ${facts.weight.toLocaleString('en-US')} WU`));
    assert.ok(page.body.includes(`<pre class="descriptor" id="tx-hex" aria-labelledby="hex-title">${facts.hex}</pre>`));
    assert.ok(page.body.includes('data-copy="tx-hex"'), 'the copy button');
    assert.ok(page.body.includes('/static/js/copy.js'));
    assert.equal((await t.client().get('/static/js/copy.js')).statusCode, 200);
  });

  it('a payment to a receive and a change address of the wallet: "receive" and "change"', async () => {
    const { wallet } = await newWallet('self');
    const [receive, change] = [await wallet.getAddress(1), await wallet.getAddress(0, true)];
    const txid = await core.rpc<string>(
      'sendmany',
      { dummy: '', amounts: { [receive]: satsToBtc(1_000_001), [change]: satsToBtc(2_000_002) } },
      'faucet',
    );
    await sync(wallet.alias);
    const d = await apiDetail(wallet.alias, txid);
    const whose = new Map(d.outputs.map((o) => [o.address, o]));
    assert.deepEqual({ ownership: whose.get(receive)?.ownership, amount: whose.get(receive)?.amount }, { ownership: 'receive', amount: 1_000_001 });
    assert.deepEqual({ ownership: whose.get(change)?.ownership, amount: whose.get(change)?.amount }, { ownership: 'change', amount: 2_000_002 });
    assert.equal(d.outputs.filter((o) => o.ownership === 'external').length, 1, "the faucet's change");
    assert.equal(d.amount, 3_000_003);
    assert.equal(d.fee, (await coreFacts(txid, 'faucet')).fee);
    const page = await t.client().get(`/spc/wallets/${wallet.alias}/tx/${txid}`);
    assert.match(page.body, /data-ownership="change">change<\/span>/);
    assert.match(page.body, /Change #0/);
  });

  it("a spend signed by a Core wallet holding the wallet's keys: the input is the wallet's, the change output 'change'", async () => {
    const { wallet, keys } = await newWallet('spender');
    const funding = await core.send(await wallet.getAddress(0), 50_000_000);
    await core.mine(1);
    await signingWallet(core, 'spender-keys', keys);
    const spend = await core.rpc<string>('sendtoaddress', { address: nobody, amount: satsToBtc(20_000_000) }, 'spender-keys');
    await sync(wallet.alias);
    const facts = await coreFacts(spend, 'spender-keys');
    const fundingOut = (await apiDetail(wallet.alias, funding)).outputs.find((o) => o.ownership === 'receive')!;

    const d = await apiDetail(wallet.alias, spend);
    assert.equal(d.category, 'send');
    assert.deepEqual(d.inputs, [{ txid: funding, vout: fundingOut.vout, address: fundingOut.address, amount: 50_000_000, ownership: 'receive' }]);
    const out = new Map(d.outputs.map((o) => [o.ownership, o]));
    assert.deepEqual(out.get('external'), { vout: out.get('external')!.vout, address: nobody, amount: 20_000_000, ownership: 'external' });
    assert.equal(out.get('change')!.address, await wallet.getAddress(0, true));
    assert.equal(out.get('change')!.amount, 50_000_000 - 20_000_000 - facts.fee);
    assert.equal(d.fee, facts.fee);
    assert.equal(d.amount, -(20_000_000 + facts.fee), 'the signed flow');
    assert.equal(d.fee_rate, Math.round((facts.fee * 10) / facts.vsize) / 10);
  });

  it("not the wallet's: 404; the node away: the page answers with the stored record and says the rest needs the node", async () => {
    const { wallet } = await newWallet('away');
    const txid = await core.send(await wallet.getAddress(0), 7_654_321);
    await sync(wallet.alias);
    const foreign = await core.send(nobody, 1_000);
    const missing = await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${wallet.alias}/transactions/${foreign}` });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'SPECTER_ERR_NOT_FOUND');
    assert.equal((await t.client().get(`/spc/wallets/${wallet.alias}/tx/${foreign}`)).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${wallet.alias}/transactions/xyz` })).statusCode, 400);

    await core.stop();
    const page = await t.client().get(`/spc/wallets/${wallet.alias}/tx/${txid}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="chain-problem"[^>]*>Inputs, outputs, fee rate, size and the raw transaction need the node/);
    assert.match(page.body, /id="tx-amount" data-sats="7654321"/);
    assert.doesNotMatch(page.body, /id="tx-hex"/);
    const api = await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${wallet.alias}/transactions/${txid}` });
    assert.equal(api.json().error.code, 'SPECTER_ERR_NODE_UNREACHABLE');
  });
});
