/**
 * The History tab sorted through HTTP (inject), against a real regtest bitcoind: date (default,
 * newest first), amount and label, both ways; bad sort values fall back to the default like a bad
 * page; column headers keep the search and start at page 1; page links keep the order; the JSON
 * API stays newest first and takes the same optional sort.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import type { User } from '../../../src/managers/users/index.js';
import { createTestSpecter, type TestClient, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';

const root = bip32.fromSeed(createHash('sha256').update('history-sort').digest(), NETWORKS.test);
const DESCRIPTOR = `wpkh([${Buffer.from(root.fingerprint).toString('hex')}/84h/1h/0h]${root.derivePath("m/84'/1'/0'").neutered().toBase58()}/<0;1>/*)`;
/** More than one page of 50. */
const PAYMENTS = 53;

describe('History sorting over HTTP against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;
  let client: TestClient;
  /** txid → amount in sats, and txid → label, of every payment. */
  const amounts = new Map<string, number>();
  const labels = new Map<string, string>();
  let newestFirst: string[] = [];
  const base = '/spc/wallets/sorted/history/';

  /** The txids of the page's rows, in order. */
  const rows = (html: string) => [...html.matchAll(/<tr data-txid="([0-9a-f]{64})"/g)].map((m) => m[1]!);
  const headerLink = (html: string, column: string) => {
    const m = new RegExp(`<a href="([^"]+)" data-sort="${column}">`).exec(html);
    assert.ok(m, `a ${column} header link`);
    return m[1]!.replaceAll('&amp;', '&');
  };
  const nextLink = (html: string) => /<a class="btn btn-small" href="([^"]+)">(?:Older|Next) →<\/a>/.exec(html)?.[1]?.replaceAll('&amp;', '&');

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
    client = t.client();
    const wallet = await t.specter.walletsOf(admin).importDescriptor(DESCRIPTOR, { name: 'Sorted', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.mine(5);
    for (let i = 0; i < PAYMENTS; i++) {
      const address = await wallet.getAddress(i);
      // Amounts out of date order, every one different.
      const sats = 100_000 + ((i * 37) % PAYMENTS) * 1_000;
      const txid = await core.send(address, sats);
      amounts.set(txid, sats);
      if (i % 10 === 3) {
        const label = `Payment ${String.fromCharCode(65 + ((i * 7) % 26))}`;
        await wallet.setLabel(address, label);
        labels.set(txid, label);
      }
      // Core keeps at most 25 unconfirmed transactions in a chain: confirm now and then.
      if (i % 20 === 19) await core.mine(1);
    }
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const all = await t.specter.chain.transactions(admin, wallet.alias, { count: 1000 });
    assert.equal(all.total, PAYMENTS);
    newestFirst = all.transactions.map((x) => x.txid);
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  it('date by default (newest first), date ascending, and a bad sort or dir falls back to the default', async () => {
    const plain = await client.get(base);
    assert.equal(plain.statusCode, 200);
    assert.deepEqual(rows(plain.body), newestFirst.slice(0, 50));
    assert.match(plain.body, /aria-sort="descending"><a href="[^"]+" data-sort="date">Date ▼/);
    const oldest = await client.get(`${base}?sort=date&dir=asc`);
    assert.deepEqual(rows(oldest.body), [...newestFirst].reverse().slice(0, 50));
    const bad = await client.get(`${base}?sort=colour&dir=sideways&page=x`);
    assert.equal(bad.statusCode, 200);
    assert.deepEqual(rows(bad.body), newestFirst.slice(0, 50));
  });

  it('amount both ways, across pages; page links keep the order', async () => {
    const bySats = [...amounts.entries()].sort((a, b) => a[1] - b[1]).map(([txid]) => txid);
    const asc = await client.get(`${base}?sort=amount&dir=asc`);
    assert.deepEqual(rows(asc.body), bySats.slice(0, 50));
    assert.match(asc.body, /aria-sort="ascending"><a href="[^"]+" data-sort="amount">Amount ▲/);
    const next = nextLink(asc.body);
    assert.equal(next, `${base}?page=2&sort=amount&dir=asc`);
    assert.deepEqual(rows((await client.get(next)).body), bySats.slice(50));
    const desc = await client.get(`${base}?sort=amount`);
    assert.deepEqual(rows(desc.body), [...bySats].reverse().slice(0, 50));
    assert.equal(nextLink(desc.body), `${base}?page=2&sort=amount`);
  });

  it('label: labelled rows in label order first; either way', async () => {
    const labelled = [...labels.entries()].sort((a, b) => (a[1] < b[1] ? -1 : 1)).map(([txid]) => txid);
    const asc = rows((await client.get(`${base}?sort=label&dir=asc`)).body);
    // The others carry their address's default label ("Address #i"): before "Payment …", in natural order.
    const page = await t.specter.chain.history(admin, 'sorted', { sort: 'label', dir: 'asc', count: 1000 });
    assert.deepEqual(
      asc,
      page.transactions.slice(0, 50).map((x) => x.txid),
    );
    const shownLabels = page.transactions.map((x) => x.label!);
    assert.deepEqual(
      shownLabels.filter((l) => l.startsWith('Payment')),
      labelled.map((txid) => labels.get(txid)),
    );
    assert.deepEqual(shownLabels.slice(0, 3), ['Address #0', 'Address #1', 'Address #2'], 'numbers in natural order');
    assert.equal(shownLabels.indexOf('Address #10'), 9);
    const desc = await t.specter.chain.history(admin, 'sorted', { sort: 'label', dir: 'desc', count: 1000 });
    assert.deepEqual(
      desc.transactions.map((x) => x.txid),
      page.transactions.map((x) => x.txid).reverse(),
    );
  });

  it('column headers keep the search and start at page 1; the current column turns the order around', async () => {
    const res = await client.get(`${base}?q=bcrt1&sort=amount&dir=asc&page=2`);
    assert.equal(res.statusCode, 200);
    assert.equal(headerLink(res.body, 'amount'), `${base}?q=bcrt1&sort=amount`);
    assert.equal(headerLink(res.body, 'date'), `${base}?q=bcrt1`);
    assert.equal(headerLink(res.body, 'label'), `${base}?q=bcrt1&sort=label&dir=asc`);
    // The search form keeps the order too.
    assert.match(res.body, /<input type="hidden" name="sort" value="amount">/);
    assert.match(res.body, /<input type="hidden" name="dir" value="asc">/);
    const searched = await client.get(`${base}?q=payment&sort=amount&dir=asc`);
    const found = rows(searched.body);
    assert.equal(found.length, labels.size);
    assert.deepEqual(
      found,
      [...labels.keys()].sort((a, b) => amounts.get(a)! - amounts.get(b)!),
    );
  });

  it('the JSON API: newest first by default, sort and dir optional, bad values a clear 400', async () => {
    const api = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/wallets/sorted/transactions${query}` });
    assert.deepEqual(
      (await api('?count=1000')).json().transactions.map((x: { txid: string }) => x.txid),
      newestFirst,
    );
    const cheapest = (await api('?sort=amount&dir=asc&count=3')).json().transactions.map((x: { amount: number }) => x.amount);
    assert.deepEqual(cheapest, [100_000, 101_000, 102_000]);
    const bad = await api('?sort=colour');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /"sort" must be one of date, amount, label/);
  });
});
