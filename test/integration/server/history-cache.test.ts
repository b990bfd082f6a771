/**
 * The History's kept pages and rows (ChainService.history() keeps pages per wallet; the route keeps
 * their rendered rows): through HTTP (inject) against a real regtest bitcoind, what changes shows
 * on the next page load — a label set on the address page, a new transaction and the confirmations
 * of the others after a sync, the unit setting — and the cache stays bounded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import type { User } from '../../../src/managers/users/index.js';
import type { Wallet } from '../../../src/managers/wallets/index.js';
import { createTestSpecter, type TestClient, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';

const root = bip32.fromSeed(createHash('sha256').update('history-cache').digest(), NETWORKS.test);
const DESCRIPTOR = `wpkh([${Buffer.from(root.fingerprint).toString('hex')}/84h/1h/0h]${root.derivePath("m/84'/1'/0'").neutered().toBase58()}/<0;1>/*)`;
const PAYMENTS = 3;

describe('History pages kept between views, against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;
  let client: TestClient;
  let wallet: Wallet;
  /** Oldest first. */
  const txids: string[] = [];
  const base = '/spc/wallets/cached/history/';

  /** Each row of the page: txid, label cell text, amount cell text, confirmations cell text. */
  const rows = (html: string) =>
    [
      ...html.matchAll(
        /<tr data-txid="([0-9a-f]{64})"[^>]*>\s*<td>.*?<\/td>\s*<td>[a-z]+<\/td>\s*<td><a href="[^"]+">([^<]*)<\/a><\/td>\s*<td class="num [^"]+">([^<]*)<\/td>\s*<td class="num">(.*?)<\/td>/g,
      ),
    ].map((m) => ({ txid: m[1]!, label: m[2]!, amount: m[3]!, confirmations: m[4]! }));
  const page = async (query = '') => {
    const res = await client.get(`${base}${query}`);
    assert.equal(res.statusCode, 200);
    return rows(res.body);
  };

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
    client = t.client();
    wallet = await t.specter.walletsOf(admin).importDescriptor(DESCRIPTOR, { name: 'Cached', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.mine(1);
    for (let i = 0; i < PAYMENTS; i++) {
      txids.push(await core.send(await wallet.getAddress(i), 100_000 + i));
      await core.mine(1);
    }
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  it('a view after a view gets the kept page; another page, order or size is its own', async () => {
    const first = await t.specter.chain.history(admin, 'cached', { count: 50 });
    assert.equal(await t.specter.chain.history(admin, 'cached', { count: 50 }), first, 'the same page object while nothing changed');
    assert.notEqual(await t.specter.chain.history(admin, 'cached', { count: 50, sort: 'amount' }), first);
    assert.notEqual(await t.specter.chain.history(admin, 'cached', { count: 2 }), first);
    assert.deepEqual(
      first.transactions.map((x) => x.txid),
      [...txids].reverse(),
    );
    const shown = await page();
    assert.deepEqual(
      shown.map((r) => r.txid),
      [...txids].reverse(),
    );
    assert.deepEqual(await page(), shown, 'the kept rows are the rows');
  });

  it('a label set on the address page shows on the next load, sorted by label and in a search too', async () => {
    await page();
    await page('?sort=label');
    const address = await wallet.getAddress(1);
    const set = await client.post(`/spc/wallets/cached/address/${address}/label`, { label: 'Rent from Alice', next: '' });
    assert.equal(set.statusCode, 302);
    const after = await page();
    assert.equal(after.find((r) => r.txid === txids[1])!.label, 'Rent from Alice');
    assert.equal(after.find((r) => r.txid === txids[0])!.label, 'Address #0');
    const byLabel = await page('?sort=label&dir=desc');
    assert.equal(byLabel[0]!.txid, txids[1], '"Rent…" after "Address #…"');
    const found = await page('?q=alice');
    assert.deepEqual(
      found.map((r) => r.txid),
      [txids[1]],
    );
  });

  it('a new transaction and the others’ confirmations show after a sync', async () => {
    const before = await page();
    assert.deepEqual(
      before.map((r) => r.confirmations),
      ['1', '2', '3'],
    );
    const txid = await core.send(await wallet.getAddress(5), 77_000);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const unconfirmed = await page();
    assert.equal(unconfirmed[0]!.txid, txid);
    assert.match(unconfirmed[0]!.confirmations, /unconfirmed/);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    assert.deepEqual(
      (await page()).map((r) => r.confirmations),
      ['1', '2', '3', '4'],
    );
  });

  it('the unit setting changes the kept rows’ amounts', async () => {
    assert.equal((await page()).at(-1)!.amount, '0.00100000 BTC');
    await t.specter.configManager.update({ unit: 'sat' });
    try {
      assert.equal((await page()).at(-1)!.amount, '100,000 sats');
    } finally {
      await t.specter.configManager.update({ unit: 'btc' });
    }
    assert.equal((await page()).at(-1)!.amount, '0.00100000 BTC');
  });

  it('at most 8 pages are kept per wallet, the least recently viewed goes first; big pages are not kept', async () => {
    const history = (from: number, count = 1) => t.specter.chain.history(admin, 'cached', { from, count });
    const first = await history(0);
    const second = await history(1);
    for (let from = 2; from < 8; from++) await history(from);
    // 8 kept: viewing the first again makes the second the least recently viewed.
    assert.equal(await history(0), first);
    await history(8);
    assert.equal(await history(0), first, 'viewed recently: still kept');
    assert.notEqual(await history(1), second, 'the least recently viewed was dropped');
    const big = await history(0, 101);
    assert.notEqual(await history(0, 101), big);
  });
});
