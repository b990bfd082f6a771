/**
 * The pure parts of the chain layer: exact BTC → satoshi conversion, Specter's categories from a
 * gettransaction reply, key origins from getaddressinfo, and the wallet's network binding and
 * chain usage (bcrt1 addresses for a tpub wallet on regtest, indexes moving past used addresses).
 * Against real Core in test/integration/chain/sync.test.ts.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../../src/bitcoin/index.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import {
  JournalChainStateStore,
  btcToSats,
  classify,
  draftFromCore,
  emptyChainState,
  originIndex,
  satsToBtc,
  visibleTransactions,
  type ChainState,
  type CoreWalletTx,
  type TxRecord,
} from '../../../../src/managers/chain/index.js';
import { GAP_LIMIT, WalletManager } from '../../../../src/managers/wallets/index.js';
import { makeEnv, type Env } from '../wallets/helpers.js';
import { TPUB_84 } from '../../bitcoin/fixtures.js';

describe('btcToSats', () => {
  it('converts exactly, where float arithmetic is off by one', () => {
    assert.equal(0.29 * 1e8, 28999999.999999996);
    assert.equal(btcToSats(0.29), 29_000_000);
    assert.equal(btcToSats(0.00000001), 1);
    assert.equal(btcToSats(1e-8), 1);
    assert.equal(btcToSats(-0.0001), -10_000);
    assert.equal(btcToSats(20_999_999.9769), 2_099_999_997_690_000);
    assert.equal(btcToSats('12.3456789'), 1_234_567_890);
    assert.equal(btcToSats(0), 0);
    for (const sats of [1, 99, 123_456_789, 2_100_000_000_000_000]) assert.equal(btcToSats(Number(satsToBtc(sats))), sats);
  });
  it('refuses what is not an amount', () => {
    for (const bad of ['1.123456789', 'abc', '', Number.NaN])
      assert.throws(
        () => btcToSats(bad as never),
        (e: unknown) => isSpecterError(e, 'RPC_BAD_RESPONSE'),
      );
  });
  it('satsToBtc writes 8 decimals', () => {
    assert.equal(satsToBtc(1), '0.00000001');
    assert.equal(satsToBtc(-150_000_000), '-1.50000000');
  });
});

describe('originIndex', () => {
  it('reads branch and index from the key origin', () => {
    assert.deepEqual(originIndex('wpkh([73c5da0a/84h/1h/0h/0/905]02abc)#xyz'), { change: false, index: 905 });
    assert.deepEqual(originIndex("wsh(multi(2,[aabbccdd/48'/1'/0'/2'/1/7]02aa,[11223344/48'/1'/0'/2'/1/7]03bb))"), { change: true, index: 7 });
    assert.equal(originIndex('addr(bcrt1qxyz)#abc'), undefined);
    assert.equal(originIndex('wpkh([73c5da0a/84h/1h/0h/5/1]02abc)'), undefined, 'only branches 0 and 1');
    assert.equal(originIndex(undefined), undefined);
  });
});

const T = (n: number): string => n.toString(16).padStart(64, '0');
const tx = (over: Partial<CoreWalletTx> & Pick<CoreWalletTx, 'amount' | 'decoded'>): CoreWalletTx => ({
  txid: T(1),
  confirmations: 1,
  blockhash: 'bb',
  blockheight: 100,
  blocktime: 1000,
  time: 1005,
  timereceived: 1010,
  walletconflicts: [],
  ...over,
});
const mine: Record<string, boolean> = { m0: false, m1: false, c0: true };
const owner = (a: string) => (a in mine ? { change: mine[a]! } : undefined);
const out = (n: number, address: string, value: number) => ({ n, value, scriptPubKey: { address } });

describe("categories (Specter's)", () => {
  const known = new Set([`${T(9)}:0`, `${T(9)}:1`]);
  const owns = (o: string) => known.has(o);

  it('receive: no input is mine; the flow is what I got; no fee', () => {
    const r = classify(
      draftFromCore(tx({ amount: 0.015, decoded: { vin: [{ txid: T(5), vout: 0 }], vout: [out(0, 'm0', 0.015), out(1, 'x', 2)] } }), owner),
      owns,
    );
    assert.deepEqual([r.category, r.amount, r.fee, r.addresses, r.time, r.blockheight], ['receive', 1_500_000, null, ['m0'], 1000, 100]);
  });
  it('send: all inputs mine, an external output; fee in sats; addresses are the recipients', () => {
    const core = tx({
      amount: -0.5,
      fee: -0.0000141,
      decoded: { vin: [{ txid: T(9), vout: 0 }], vout: [out(0, 'x', 0.5), out(1, 'c0', 0.4999859)] },
    });
    const r = classify(draftFromCore(core, owner), owns);
    assert.deepEqual([r.category, r.amount, r.fee, r.addresses], ['send', -50_001_410, 1410, ['x']]);
    assert.deepEqual(r.outputs, [{ vout: 1, address: 'c0', amount: 49_998_590, change: true }]);
  });
  it('selftransfer: all inputs and outputs mine', () => {
    const core = tx({
      amount: 0,
      fee: -0.000002,
      decoded: {
        vin: [
          { txid: T(9), vout: 0 },
          { txid: T(9), vout: 1 },
        ],
        vout: [out(0, 'm1', 0.9999998)],
      },
    });
    const r = classify(draftFromCore(core, owner), owns);
    assert.deepEqual([r.category, r.amount, r.fee, r.addresses], ['selftransfer', -200, 200, ['m1']]);
  });
  it('mixed: some inputs mine (a coinjoin); no fee claimed', () => {
    const core = tx({
      amount: -0.1,
      fee: 0.3,
      decoded: {
        vin: [
          { txid: T(9), vout: 0 },
          { txid: T(7), vout: 3 },
        ],
        vout: [out(0, 'm0', 0.8), out(1, 'x', 0.6)],
      },
    });
    const r = classify(draftFromCore(core, owner), owns);
    assert.deepEqual([r.category, r.amount, r.fee], ['mixed', 20_000_000, null]);
  });
  it('generate: a coinbase', () => {
    const r = classify(draftFromCore(tx({ amount: 50, decoded: { vin: [{ coinbase: '51' }], vout: [out(0, 'm0', 50)] } }), owner), owns);
    assert.deepEqual([r.category, r.amount, r.inputs, r.coinbase], ['generate', 5_000_000_000, [], true]);
  });
  it('unconfirmed, conflicted and replaced state is kept', () => {
    const core = tx({
      amount: 0.01,
      confirmations: -2,
      blockhash: undefined,
      replaced_by_txid: T(3),
      walletconflicts: [T(4)],
      decoded: { vin: [{ txid: T(5), vout: 0 }], vout: [out(0, 'm0', 0.01)] },
    });
    const r = classify(draftFromCore(core, owner), owns);
    assert.deepEqual([r.blockhash, r.blockheight, r.conflicted, r.replaced_by, r.conflicts, r.time], [null, null, true, T(3), [T(4)], 1005]);
  });
});

describe('wallet network binding and chain usage', () => {
  let env: Env;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });
  const desc = `wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`;

  it('a tpub wallet bound to regtest shows bcrt1 addresses, keeping labels; mainnet is refused', async () => {
    const wallet = await env.wallets.importDescriptor(desc, { name: 'T', network: 'test' });
    const first = await wallet.getAddress(0);
    assert.match(first, /^tb1/);
    await wallet.setLabel(first, 'Savings');
    assert.equal(await wallet.bindNetwork('regtest'), true);
    assert.equal(await wallet.bindNetwork('regtest'), false);
    const regtest = createAddressDeriver(parseDescriptor(desc, { network: 'regtest' })).deriveSync(0, 0, 2);
    assert.equal(await wallet.getAddress(0), regtest[0]);
    assert.equal(wallet.getAddressInfo(regtest[0]!).label, 'Savings');
    await assert.rejects(wallet.bindNetwork('main'), (e: unknown) => isSpecterError(e, 'NODE_CHAIN_MISMATCH'));
    // Persisted: a fresh manager reads the regtest wallet back.
    const reread = await new WalletManager(env.dir, env.store, env.devices).get(wallet.alias);
    assert.equal(reread.network, 'regtest');
    assert.equal(await reread.getAddress(1), regtest[1]);
  });

  it('applyChainUsage marks used, derives GAP_LIMIT past the furthest, moves both indexes; refuses a wrong address', async () => {
    const wallet = await env.wallets.importDescriptor(desc, { name: 'U', network: 'test' });
    const d = createAddressDeriver(wallet.descriptor);
    const [far] = d.deriveSync(0, 1500, 1);
    const [change3] = d.deriveSync(1, 3, 1);
    const marked = await wallet.applyChainUsage([
      { address: far!, change: false, index: 1500 },
      { address: change3!, change: true, index: 3 },
    ]);
    assert.deepEqual(marked, [far, change3]);
    assert.equal(wallet.addressIndex, 1501);
    assert.equal(wallet.changeIndex, 4);
    assert.equal(wallet.derivedCount(false), 1501 + GAP_LIMIT);
    assert.deepEqual(await wallet.applyChainUsage([{ address: far!, change: false, index: 1500 }]), [], 'already used');
    await assert.rejects(wallet.applyChainUsage([{ address: far!, change: false, index: 7 }]), (e: unknown) =>
      isSpecterError(e, 'DATA_FILE_CORRUPT'),
    );
  });
});

describe('visible transactions and the state store', () => {
  const rec = (n: number, over: Partial<TxRecord> = {}): TxRecord => ({
    txid: T(n),
    category: 'receive',
    amount: 1,
    fee: null,
    blockhash: null,
    blockheight: null,
    time: 100,
    conflicted: false,
    in_mempool: true,
    replaced_by: null,
    conflicts: [],
    addresses: [],
    outputs: [],
    inputs: [`${T(50)}:0`],
    coinbase: false,
    ...over,
  });
  const state = (...txs: TxRecord[]): ChainState => ({
    ...emptyChainState('regtest', 'regtest', 'specteradmin/x'),
    txs: Object.fromEntries(txs.map((t) => [t.txid, t])),
  });
  const shown = (s: ChainState) =>
    visibleTransactions(s)
      .map((t) => t.txid)
      .sort();

  it('each spend shows once: confirmed, else in the mempool, else the newest', () => {
    assert.deepEqual(shown(state(rec(1, { time: 200, in_mempool: false }), rec(2, { time: 100 }))), [T(2)]);
    assert.deepEqual(shown(state(rec(1, { time: 200 }), rec(2, { time: 100, blockhash: 'b', blockheight: 5, in_mempool: null }))), [T(2)]);
    assert.deepEqual(shown(state(rec(1, { time: 200, in_mempool: false }), rec(2, { time: 100, in_mempool: false }))), [T(1)]);
    assert.deepEqual(shown(state(rec(1), rec(2, { inputs: [`${T(51)}:0`] }))), [T(1), T(2)], 'no shared input: both');
  });
  it('conflicted and replaced ones go', () => {
    assert.deepEqual(shown(state(rec(1, { conflicted: true, inputs: [] }), rec(2, { inputs: [] }))), [T(2)]);
    assert.deepEqual(shown(state(rec(1, { replaced_by: T(2), inputs: [] }), rec(2, { inputs: [] }))), [T(2)]);
    assert.deepEqual(shown(state(rec(1, { replaced_by: T(9), inputs: [] }))), [T(1)], 'a replacement never seen does not hide it');
  });
  it('a sync appends one journal line with what changed; load replays it; a torn last line is skipped; compaction folds the journal in', async () => {
    const env = await makeEnv();
    try {
      const store = new JournalChainStateStore(env.store, env.dir, 'w');
      const s = state(rec(1), rec(2));
      await store.save(s);
      const snapshot = await readFile(store.file, 'utf8');
      const logFile = store.file.replace(/\.json$/, '.log');
      s.txs[T(3)] = rec(3);
      delete s.txs[T(1)];
      s.lastblock = 'b'.repeat(64);
      s.tip_height = 7;
      await store.save(s, { put: [s.txs[T(3)]!], removed: [T(1)] });
      assert.equal(await readFile(store.file, 'utf8'), snapshot, 'the snapshot is not rewritten for a change');
      const log = await readFile(logFile, 'utf8');
      assert.equal(log.split('\n').length, 2, 'one line');
      assert.doesNotMatch(log, new RegExp(T(2)), 'the line holds only what changed');
      assert.deepEqual(await store.load(), s);

      // kill -9 mid-append: the torn line is skipped, and the next save compacts instead of appending to it.
      await appendFile(logFile, '{"m":{"vers');
      assert.deepEqual(await store.load(), s);
      s.txs[T(4)] = rec(4);
      await store.save(s, { put: [s.txs[T(4)]!], removed: [] });
      await assert.rejects(readFile(logFile), { code: 'ENOENT' }, 'compacted: the journal is gone');
      assert.deepEqual(await store.load(), s);

      await store.save(s, { put: [], removed: [] });
      await appendFile(logFile, '{"m":1,"t":[],"d":[]}\n');
      await assert.rejects(store.load(), (e: unknown) => isSpecterError(e, 'DATA_FILE_CORRUPT') && /line 2/.test(e.message));
    } finally {
      await env.cleanup();
    }
  });
  it('saves, loads back, and a damaged cache is DATA_FILE_CORRUPT naming the fix', async () => {
    const env = await makeEnv();
    try {
      const store = new JournalChainStateStore(env.store, env.dir, 'w');
      assert.equal(await store.load(), undefined);
      const s = state(rec(1));
      await store.save(s);
      assert.deepEqual(await store.load(), s);
      await writeFile(store.file, JSON.stringify({ version: 1, txs: 'nope' }));
      await assert.rejects(store.load(), (e: unknown) => isSpecterError(e, 'DATA_FILE_CORRUPT') && /next sync rebuilds it/.test(e.hint ?? ''));
      await store.remove();
      assert.equal(await store.load(), undefined);
    } finally {
      await env.cleanup();
    }
  });
});
