/**
 * The chain through HTTP, as scripts and users see it: the JSON API's balance, transactions, UTXOs,
 * freeze, sync and rescan shapes (integer satoshis), and the History, UTXO and transaction pages.
 * Against a real regtest bitcoind; without one the file skips with one line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestSpecter, TEST_DESCRIPTORS, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { fixturePackage } from '../../helpers/ext-packages.js';
import { TPUB_84 } from '../../unit/bitcoin/fixtures.js';

describe('chain over HTTP against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, ...(payload !== undefined && { payload: payload as object }) });

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter({ extensions: [await fixturePackage('chainwatch')] });
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  it('a payment shows in balance, transactions and UTXOs to the satoshi; freeze; pages render it', async () => {
    // A mainnet wallet cannot serve a regtest node: the chain answers with the fix.
    assert.equal((await api('POST', '/wallets', { name: 'Chain Http', descriptor: TEST_DESCRIPTORS.singleSig })).statusCode, 201);
    const mismatch = await api('GET', '/wallets/chain-http/balance');
    assert.equal(mismatch.statusCode, 409);
    assert.equal(mismatch.json().error.code, 'SPECTER_ERR_NODE_CHAIN_MISMATCH');

    // A testnet-family key (tpub) serves regtest; the first sync binds the wallet to the node's chain.
    const tpub = `wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`;
    assert.equal((await api('POST', '/wallets', { name: 'Regtest Coins', descriptor: tpub })).statusCode, 201);
    assert.equal((await api('POST', '/wallets/regtest-coins/sync')).statusCode, 200);
    const bound = (await api('GET', '/wallets/regtest-coins/addresses?count=2')).json().addresses as Array<{ address: string }>;
    assert.match(bound[0]!.address, /^bcrt1/, 'regtest addresses once bound to the node');
    const payTo = bound[1]!.address;
    const txid = await core.send(payTo, 12_345_678);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    const synced = await api('POST', '/wallets/regtest-coins/sync');
    assert.equal(synced.statusCode, 200, synced.body);

    const balance = (await api('GET', '/wallets/regtest-coins/balance')).json();
    assert.deepEqual(balance, { confirmed: 12_345_678, unconfirmed: 0, immature: 0, frozen: 0, available: 12_345_678 });
    const history = (await api('GET', '/wallets/regtest-coins/transactions?from=0&count=10')).json();
    assert.equal(history.total, 1);
    assert.equal(history.transactions[0].txid, txid);
    assert.equal(history.transactions[0].amount, 12_345_678);
    assert.equal(history.transactions[0].category, 'receive');
    assert.equal(history.transactions[0].confirmations, 1);
    // A plugin with wallets:read reads the same through its context, acting for the wallet's owner.
    await t.activate('admin', 'chainwatch');
    const ctx = t.specter.extensionManager.get('chainwatch')!.ctx;
    const admin = t.specter.userManager.admin;
    assert.deepEqual(await ctx.asUser(admin.id, () => ctx.wallets.balance('regtest-coins')), balance);
    assert.equal((await ctx.asUser(admin.id, () => ctx.wallets.transactions('regtest-coins'))).items[0]!.txid, txid);
    const utxos = (await api('GET', '/wallets/regtest-coins/utxos')).json().utxos;
    assert.equal(utxos.length, 1);
    assert.equal(utxos[0].amount, 12_345_678);
    const frozen = await api('POST', '/wallets/regtest-coins/utxos/freeze', { outpoints: [`${utxos[0].txid}:${utxos[0].vout}`] });
    assert.equal(frozen.statusCode, 200, frozen.body);
    assert.equal((await api('GET', '/wallets/regtest-coins/balance')).json().frozen, 12_345_678);
    assert.equal((await api('GET', '/wallets/regtest-coins/transactions?count=5000')).statusCode, 400, 'a page has at most 1,000');

    const client = t.client();
    const page = await client.get('/spc/wallets/regtest-coins/history/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /0\.12345678 BTC/);
    assert.ok(page.body.includes(`/spc/wallets/regtest-coins/tx/${txid}`));
    const tx = await client.get(`/spc/wallets/regtest-coins/tx/${txid}`);
    assert.equal(tx.statusCode, 200);
    assert.match(tx.body, /receive/);
    assert.ok(tx.body.includes(payTo));
    const coins = await client.get('/spc/wallets/regtest-coins/utxos/');
    assert.match(coins.body, /frozen/);
    const search = await client.get(`/spc/wallets/regtest-coins/history/?q=${txid.slice(0, 12)}`);
    assert.match(search.body, /1 transaction/);
    // The overview: each wallet's balance, and no total while one wallet cannot be asked (mainnet keys).
    const overview = await client.get('/spc/wallets/');
    assert.match(overview.body, /data-balance="regtest-coins">0\.12345678 BTC/);
    assert.match(overview.body, /data-balance="chain-http">Balance: — \(the node cannot tell now/);
    assert.doesNotMatch(overview.body, /id="wallets-total"/);
  });
});
