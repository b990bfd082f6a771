/**
 * The chain layer against a real regtest bitcoind (issue 10's must-shows): history, categories and
 * balances to the satoshi, used addresses and the gap, reorgs, frozen coins across a Core restart,
 * regtest addresses for tpub wallets, a wallet of the wrong network, and the extensions'
 * `wallet_synced` callback with the service_id of a reserved address.
 *
 * One bitcoind and one app for the whole file; each test has a wallet of its own keys.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { CHAIN_FOLDER, satsToBtc } from '../../../src/managers/chain/index.js';
import { runAsUser, type User } from '../../../src/managers/users/index.js';
import { openAnnotations } from '../../../src/extensions/address-reservation.js';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { fixturePackage } from '../../helpers/ext-packages.js';
import { reservationsOf } from '../../helpers/reservations.js';
import { BIP84 } from '../../unit/bitcoin/fixtures.js';

/** A BIP-84 tpub wallet descriptor of a seed made from `name` (each test its own coins). */
function descriptorFor(name: string): string {
  const root = bip32.fromSeed(createHash('sha256').update(`sync-test-${name}`).digest(), NETWORKS.test);
  const fp = Buffer.from(root.fingerprint).toString('hex');
  return `wpkh([${fp}/84h/1h/0h]${root.derivePath("m/84'/1'/0'").neutered().toBase58()}/<0;1>/*)`;
}

/** Receive addresses #from… of a descriptor on regtest, derived by the app's deriver. */
function regtestAddresses(descriptor: string, from: number, count: number): string[] {
  return createAddressDeriver(parseDescriptor(descriptor, { network: 'regtest' })).deriveSync(0, from, count);
}

const nobody = regtestAddresses(descriptorFor('nobody'), 0, 1)[0]!;

describe('chain sync against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;
  const logLines: string[] = [];

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter({ extensions: [await fixturePackage('chainwatch')], logLines });
    // The background trigger is tested on its own; here every sync is explicit.
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
    // Coins for every test: 30 more faucet coinbases, then 100 blocks to an address of nobody's,
    // so that no faucet coin matures at the tip: invalidating one block must not make a coin the
    // faucet spent immature again (Core would drop that payment from its mempool).
    await core.rpc('createwallet', { wallet_name: 'payer' });
    await core.send(await core.rpc<string>('getnewaddress', [], 'payer'), 500_000_000);
    await core.mine(30);
    await core.rpc('generatetoaddress', [100, nobody]);
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  /** Core tells its wallets of new transactions and blocks asynchronously: wait for that queue. */
  const settle = () => core.rpc('syncwithvalidationinterfacequeue');
  const sync = async (alias: string) => {
    await settle();
    return t.specter.chain.sync(admin, alias);
  };

  const newWallet = async (name: string) => {
    const descriptor = descriptorFor(name);
    const wallet = await t.specter.walletsOf(admin).importDescriptor(descriptor, { name, network: 'test' });
    return { wallet, descriptor };
  };

  it('10 confirmed and 2 unconfirmed payments: 12 transactions, balances to the satoshi, addresses used; invalidate/reconsider', async () => {
    const { wallet, descriptor } = await newWallet('payments');
    await t.specter.chain.link(admin, wallet.alias);
    assert.equal(wallet.network, 'regtest', 'a tpub wallet on a regtest node is bound to regtest');
    const shown = await wallet.addresses(false, 0, 12);
    assert.deepEqual(
      shown.map((a) => a.address),
      regtestAddresses(descriptor, 0, 12),
    );
    assert.ok(
      shown.every((a) => a.address.startsWith('bcrt1')),
      shown[0]!.address,
    );

    const amounts = Array.from({ length: 12 }, (_, i) => 1_000_000 + i * 12_345 + 1);
    const paid: string[] = [];
    for (let i = 0; i < 10; i++) paid.push(await core.send(shown[i]!.address, amounts[i]!));
    // The two unconfirmed ones are made before the block (and left out of it): a wallet sets
    // nLockTime to the tip, so a payment made on top of the block would be non-final once the
    // block is invalidated, and Core would drop it from the mempool. From another wallet, so they
    // do not hang on the block's transactions either.
    for (let i = 10; i < 12; i++) await core.rpc('sendtoaddress', { address: shown[i]!.address, amount: satsToBtc(amounts[i]!) }, 'payer');
    const { hash: paymentsBlock } = await core.rpc<{ hash: string }>('generateblock', [nobody, paid]);

    const first = await sync(wallet.alias);
    assert.equal(first.full, true);
    const { total, transactions } = await t.specter.chain.transactions(admin, wallet.alias, { from: 0, count: 100 });
    assert.equal(total, 12);
    assert.equal(transactions.filter((x) => x.confirmations === 0).length, 2);
    assert.ok(
      transactions.slice(0, 2).every((x) => x.confirmations === 0),
      'newest (unconfirmed) first',
    );
    assert.ok(transactions.every((x) => x.category === 'receive' && x.fee === null));
    assert.deepEqual(
      transactions.map((x) => x.amount).sort((a, b) => a - b),
      [...amounts].sort((a, b) => a - b),
    );
    assert.deepEqual(new Set(transactions.flatMap((x) => x.addresses)), new Set(shown.map((a) => a.address)));

    const confirmed = amounts.slice(0, 10).reduce((s, a) => s + a, 0);
    const unconfirmed = amounts[10]! + amounts[11]!;
    assert.deepEqual(await t.specter.chain.balance(admin, wallet.alias), {
      confirmed,
      unconfirmed,
      immature: 0,
      frozen: 0,
      available: confirmed + unconfirmed,
    });

    const used = await wallet.addresses(false, 0, 13);
    assert.deepEqual(
      used.map((a) => a.used),
      [...Array(12).fill(true), false],
    );
    assert.ok(wallet.addressIndex >= 12, `address index ${wallet.addressIndex}`);
    assert.ok((await wallet.currentReceiveAddress()) !== shown[11]!.address);

    // An idle sync finds nothing and is incremental.
    const idle = await sync(wallet.alias);
    assert.deepEqual([idle.full, idle.added, idle.changed], [false, 0, 0]);

    // Reorg: the block holding the 10 payments goes away, they are unconfirmed again.
    await core.rpc('invalidateblock', [paymentsBlock]);
    const reorged = await sync(wallet.alias);
    assert.equal(reorged.full, false);
    const afterInvalidate = await t.specter.chain.transactions(admin, wallet.alias, { count: 100 });
    assert.equal(afterInvalidate.total, 12, 'each transaction still shows once');
    assert.equal(afterInvalidate.transactions.filter((x) => x.confirmations === 0).length, 12);
    const dropped = await t.specter.chain.balance(admin, wallet.alias);
    assert.equal(dropped.confirmed, 0);
    assert.equal(dropped.unconfirmed, confirmed + unconfirmed);

    await core.rpc('reconsiderblock', [paymentsBlock]);
    await sync(wallet.alias);
    const back = await t.specter.chain.transactions(admin, wallet.alias, { count: 100 });
    assert.equal(back.total, 12);
    assert.equal(back.transactions.filter((x) => x.confirmations === 0).length, 2);
    assert.deepEqual(await t.specter.chain.balance(admin, wallet.alias), {
      confirmed,
      unconfirmed,
      immature: 0,
      frozen: 0,
      available: confirmed + unconfirmed,
    });

    // Paging: newest first, with the total.
    const page = await t.specter.chain.transactions(admin, wallet.alias, { from: 10, count: 5 });
    assert.equal(page.total, 12);
    assert.deepEqual(
      page.transactions.map((x) => x.txid),
      back.transactions.slice(10).map((x) => x.txid),
    );
  });

  it('200 payments to consecutive addresses move the index past 200; a payment 900 past the last used is found', async () => {
    const { wallet, descriptor } = await newWallet('gap');
    await t.specter.chain.link(admin, wallet.alias);
    const targets = regtestAddresses(descriptor, 0, 200);
    const outputs = Object.fromEntries(targets.map((a) => [a, '0.00010000']));
    await core.rpc('sendmany', ['', outputs], 'faucet');
    await sync(wallet.alias);
    assert.ok(wallet.addressIndex >= 200, `address index ${wallet.addressIndex}`);
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).unconfirmed, 200 * 10_000);

    const far = regtestAddresses(descriptor, 199 + 900, 1)[0]!;
    const txid = await core.send(far, 777_777);
    const result = await sync(wallet.alias);
    assert.ok(result.newlyUsed.includes(far));
    const { transactions } = await t.specter.chain.transactions(admin, wallet.alias, { count: 10 });
    assert.equal(transactions[0]!.txid, txid);
    assert.deepEqual(transactions[0]!.addresses, [far]);
    assert.equal(transactions[0]!.amount, 777_777);
    assert.equal(wallet.getAddressInfo(far).used, true);
    assert.equal(wallet.getAddressInfo(far).index, 1099);
    assert.ok(wallet.addressIndex >= 1100);
    assert.ok(wallet.derivedCount(false) >= 1100 + 20, 'GAP_LIMIT unused addresses after the last used');
    const core0 = await core.rpc<{ descriptors: Array<{ active: boolean; internal: boolean; range: [number, number] }> }>(
      'listdescriptors',
      [],
      (await t.specter.chain.link(admin, wallet.alias)).coreWallet,
    );
    const receive = core0.descriptors.find((d) => d.active && !d.internal)!;
    assert.ok(receive.range[1] >= wallet.derivedCount(false) - 1, `Core watches ${receive.range[1]}`);
  });

  it('freeze: the coin is locked on Core, counted as frozen, and locked again after bitcoind restarts', async () => {
    const { wallet, descriptor } = await newWallet('frozen');
    await t.specter.chain.link(admin, wallet.alias);
    const [a0, a1] = regtestAddresses(descriptor, 0, 2);
    await core.send(a0!, 500_000);
    await core.send(a1!, 300_000);
    await core.mine(1);
    await sync(wallet.alias);
    const utxos = await t.specter.chain.utxos(admin, wallet.alias);
    assert.equal(utxos.length, 2);
    const coin = utxos.find((u) => u.amount === 300_000)!;
    assert.equal(coin.address, a1);
    assert.equal(coin.confirmations, 1);
    const outpoint = `${coin.txid}:${coin.vout}`;
    await assert.rejects(t.specter.chain.freeze(admin, wallet.alias, [`${'0'.repeat(64)}:0`]), (e: unknown) => isSpecterError(e, 'UTXO_NOT_FOUND'));
    await t.specter.chain.freeze(admin, wallet.alias, [outpoint]);
    const coreName = (await t.specter.chain.link(admin, wallet.alias)).coreWallet;
    const locked = () => core.rpc<Array<{ txid: string; vout: number }>>('listlockunspent', [], coreName);
    assert.deepEqual(await locked(), [{ txid: coin.txid, vout: coin.vout }]);
    assert.deepEqual(await t.specter.chain.balance(admin, wallet.alias), {
      confirmed: 800_000,
      unconfirmed: 0,
      immature: 0,
      frozen: 300_000,
      available: 500_000,
    });

    await core.stop();
    await core.start();
    await sync(wallet.alias);
    assert.deepEqual(await locked(), [{ txid: coin.txid, vout: coin.vout }], 're-locked after the restart');
    const again = await t.specter.chain.utxos(admin, wallet.alias);
    assert.deepEqual(
      again.filter((u) => u.frozen).map((u) => `${u.txid}:${u.vout}`),
      [outpoint],
    );
    assert.equal(again.length, 2, 'a frozen coin is still listed');

    await t.specter.chain.freeze(admin, wallet.alias, [outpoint], false);
    assert.deepEqual(await locked(), []);
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).available, 800_000);
  });

  it('labels go to Core with setlabel', async () => {
    const { wallet } = await newWallet('labels');
    const { coreWallet } = await t.specter.chain.link(admin, wallet.alias);
    const address = await wallet.getAddress(3);
    await t.specter.chain.setLabel(admin, wallet.alias, address, 'Rent');
    const info = await core.rpc<{ labels: string[] }>('getaddressinfo', [address], coreWallet);
    assert.deepEqual(info.labels, ['Rent']);
    assert.equal(wallet.getAddressInfo(address).label, 'Rent');

    // Deleting the wallet: forget() unloads the Core wallet and drops the chain cache.
    await t.specter.chain.sync(admin, wallet.alias);
    const cache = path.join(t.specter.walletsOf(admin).walletsFolder, CHAIN_FOLDER, `${wallet.alias}.json`);
    assert.ok(existsSync(cache));
    await t.specter.chain.forget(admin, wallet.alias);
    assert.ok(!(await core.rpc<string[]>('listwallets')).includes(coreWallet));
    assert.ok(!existsSync(cache));
  });

  it("an extension's reserved address is paid: wallet_synced carries its service_id", async () => {
    const { wallet } = await newWallet('reserved');
    await t.activate('admin', 'chainwatch');
    // The fixture is plain JavaScript: its paid() is typed here.
    const ext = t.specter.extensionManager.get('chainwatch') as unknown as {
      paid(): Array<{ txid: string; address: string; amount: number; confirmations: number }>;
    };
    await t.specter.chain.link(admin, wallet.alias);
    const address = await wallet.getAddress(4);
    await reservationsOf(t, 'chainwatch').reserveAddress(wallet.alias, address, 'Invoice 42');
    const other = await wallet.getAddress(1);
    await core.send(other, 10_000);
    const txid = await core.send(address, 123_456);
    await sync(wallet.alias);
    assert.deepEqual(ext.paid(), [{ txid, address, amount: 123_456, confirmations: 0 }]);
    await core.mine(1);
    await sync(wallet.alias);
    assert.deepEqual(
      ext.paid().map((p) => p.confirmations),
      [0, 1],
      'told again when it confirms',
    );
  });

  it('autowithdraw marks its reserved address "paid" when the chain sees the payment, and its wallet tab shows it', async () => {
    const { wallet } = await newWallet('withdrawals');
    // Auto-withdraw encrypts its data, so it needs a password (switched back at the end).
    await t.setAuth('passwordonly', 'pw123456');
    const client = await t.login('pw123456');
    await t.activate('admin', 'autowithdraw');
    const ext = t.specter.extensionManager.get('autowithdraw')!;
    await t.specter.chain.link(admin, wallet.alias);
    const address = await wallet.getAddress(2);
    await runAsUser(admin, () => ext.ctx.addresses.reserveOne(wallet.alias, address, 'Exchange withdrawal'));
    const txid = await core.send(address, 654_321);
    await sync(wallet.alias);
    const annotations = await runAsUser(admin, () => openAnnotations(t.specter.walletsOf(admin), t.specter.store, wallet.alias, 'autowithdraw'));
    assert.match(String(annotations.getAddrAnnotations(address).paid), new RegExp(`^654321 sats in ${txid.slice(0, 16)}`));
    const tab = await client.get(`/spc/ext/autowithdraw/wallet/${wallet.alias}/`);
    assert.equal(tab.statusCode, 200);
    assert.match(tab.body, /paid: 654321 sats/);
    await t.setAuth('none');
  });

  it('a mainnet wallet on a regtest node is NODE_CHAIN_MISMATCH and nothing is created on the node', async () => {
    const wallet = await t.specter
      .walletsOf(admin)
      .importDescriptor(`wpkh([73c5da0a/84h/0h/0h]${BIP84.xpub}/<0;1>/*)`, { name: 'mainnet', network: 'main' });
    await assert.rejects(t.specter.chain.sync(admin, wallet.alias), (e: unknown) => isSpecterError(e, 'NODE_CHAIN_MISMATCH'));
    const dir = await core.rpc<{ wallets: Array<{ name: string }> }>('listwalletdir');
    assert.ok(!dir.wallets.some((w) => w.name.endsWith('/mainnet')));
    assert.equal(wallet.network, 'main');
  });

  it('a replaced payment shows once, as its replacement; concurrent syncs share one run', async () => {
    const { wallet, descriptor } = await newWallet('replaced');
    await t.specter.chain.link(admin, wallet.alias);
    const [address] = regtestAddresses(descriptor, 0, 1);
    const original = await core.rpc<string>('sendtoaddress', { address, amount: '0.00250000', replaceable: true }, 'payer');
    await settle();
    const [r1, r2] = await Promise.all([t.specter.chain.sync(admin, wallet.alias), t.specter.chain.sync(admin, wallet.alias)]);
    assert.equal(r1, r2, 'one run, one result');
    assert.deepEqual(
      (await t.specter.chain.transactions(admin, wallet.alias)).transactions.map((x) => x.txid),
      [original],
    );
    const { txid: replacement } = await core.rpc<{ txid: string }>('bumpfee', [original], 'payer');
    await sync(wallet.alias);
    const after = await t.specter.chain.transactions(admin, wallet.alias);
    assert.equal(after.total, 1);
    assert.deepEqual(
      after.transactions.map((x) => [x.txid, x.amount, x.category]),
      [[replacement, 250_000, 'receive']],
    );
    await core.mine(1);
    await sync(wallet.alias);
    const mined = await t.specter.chain.transactions(admin, wallet.alias);
    assert.deepEqual(
      mined.transactions.map((x) => [x.txid, x.confirmations]),
      [[replacement, 1]],
    );
  });

  it('a block mined to the wallet: generate, immature until 100 confirmations', async () => {
    const { wallet, descriptor } = await newWallet('miner');
    await t.specter.chain.link(admin, wallet.alias);
    const [address] = regtestAddresses(descriptor, 0, 1);
    await core.rpc('generatetoaddress', [1, address]);
    await sync(wallet.alias);
    const [coinbase] = (await t.specter.chain.transactions(admin, wallet.alias)).transactions;
    assert.equal(coinbase!.category, 'generate');
    assert.equal(coinbase!.fee, null);
    assert.ok(coinbase!.amount > 0);
    const balance = await t.specter.chain.balance(admin, wallet.alias);
    assert.deepEqual(balance, { confirmed: 0, unconfirmed: 0, immature: coinbase!.amount, frozen: 0, available: 0 });
  });

  it('a new block triggers a background sync of the synced wallets', async () => {
    const { wallet, descriptor } = await newWallet('background');
    await sync(wallet.alias);
    const [address] = regtestAddresses(descriptor, 0, 1);
    await core.send(address!, 42_000);
    await core.mine(1);
    await settle();
    t.specter.chain.start({ poll: false });
    try {
      await t.specter.nodeManager.refreshStatus();
      // The trigger does not block the status poll: wait (bounded) for the sync it started.
      let transactions: Awaited<ReturnType<typeof t.specter.chain.transactions>>['transactions'] = [];
      for (let i = 0; i < 600 && transactions.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ({ transactions } = await t.specter.chain.transactions(admin, wallet.alias));
      }
      assert.equal(transactions.length, 1, `the background sync found the payment; log: ${logLines.filter((l) => /sync/.test(l)).join('\n')}`);
      assert.equal(transactions[0]!.amount, 42_000);
      assert.equal(transactions[0]!.confirmations, 1);
    } finally {
      await t.specter.chain.stop();
    }
  });

  it('rescan from a height finds a payment the import did not scan for', async () => {
    const descriptor = descriptorFor('rescan');
    const [address] = regtestAddresses(descriptor, 0, 1);
    const txid = await core.send(address!, 654_321);
    await core.mine(1);
    const height = await core.rpc<number>('getblockcount');
    // A blockheight past the tip: "new keys, no rescan". Core still scans 2 hours of block time
    // before the tip's median time, and regtest blocks are seconds apart: so the node's clock
    // goes 4 hours on and 11 blocks move the median time past the payment's block. (Last test of
    // the file: the clock stays there.)
    await core.rpc('setmocktime', [Math.floor(Date.now() / 1000) + 4 * 3600]);
    await core.mine(11);
    const wallet = await t.specter.walletsOf(admin).importDescriptor(descriptor, { name: 'rescan', network: 'test', blockheight: height + 1000 });
    await sync(wallet.alias);
    assert.equal((await t.specter.chain.transactions(admin, wallet.alias)).total, 0, 'not scanned for yet');
    assert.deepEqual(await t.specter.chain.rescanStatus(admin, wallet.alias), { active: false, progress: null, duration: null });
    assert.equal(await t.specter.chain.abortRescan(admin, wallet.alias), false, 'nothing to abort');
    await assert.rejects(t.specter.chain.rescan(admin, wallet.alias, -1), (e: unknown) => isSpecterError(e, 'VALIDATION'));
    const result = await t.specter.chain.rescan(admin, wallet.alias, height);
    assert.equal(result.full, true);
    const { transactions } = await t.specter.chain.transactions(admin, wallet.alias);
    assert.deepEqual(
      transactions.map((x) => [x.txid, x.amount, x.blockheight]),
      [[txid, 654_321, height]],
    );
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).confirmed, 654_321);
  });
});
