/**
 * Pending PSBTs survive a restart of the app (they are on disk) and of bitcoind (Core forgets its
 * coin locks; the next link, sync or PSBT locks them again), and can still be signed and
 * broadcast afterwards. A PSBT made while Core had forgotten the locks never reuses their coins.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

describe('pending PSBTs across restarts', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let folder: string;
  const apps: TestSpecter[] = [];

  const open = async (): Promise<TestSpecter> => {
    const t = await createTestSpecter({ dataFolder: folder });
    await t.specter.chain.stop();
    apps.push(t);
    return t;
  };

  before(async () => {
    core = await startBitcoind(undefined);
    folder = await mkdtemp(path.join(tmpdir(), 'specter-psbt-restart-'));
  });
  after(async () => {
    for (const t of apps) await t.close().catch(() => undefined);
    await core?.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  it('survive an app restart and a bitcoind restart with their coins locked again; then sign and broadcast', async () => {
    const keys = keysFor('psbt-restart');
    let t = await open();
    await addRegtestNode(t.specter, core);
    let admin = t.specter.userManager.require('admin');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'restart', network: 'test' });
    const { coreWallet } = await t.specter.chain.link(admin, wallet.alias);
    for (const i of [0, 1, 2]) await core.send(await wallet.getAddress(i), 10_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const locks = async () =>
      (await core.rpc<Array<{ txid: string; vout: number }>>('listlockunspent', [], coreWallet)).map((l) => `${l.txid}:${l.vout}`).sort();

    const first = await t.specter.psbts.create(admin, wallet.alias, { recipients: [{ address: nobody, amount: 5_000_000 }], fee_rate: 2 });
    const firstCoins = first.inputs.map((i) => `${i.txid}:${i.vout}`).sort();
    assert.deepEqual(await locks(), firstCoins);

    // Both go away; Core comes back without its locks.
    await t.close();
    await core.stop();
    await core.start();
    await core.rpc('loadwallet', [coreWallet]);
    assert.deepEqual(await locks(), [], 'Core forgot the locks');

    t = await open();
    admin = t.specter.userManager.require('admin');
    const listed = await t.specter.psbts.list(admin, wallet.alias);
    assert.deepEqual(
      listed.map((p) => p.txid),
      [first.txid],
      'the pending PSBT is still there after the app restart',
    );
    assert.equal(listed[0]!.psbt, first.psbt);
    await t.specter.chain.sync(admin, wallet.alias);
    assert.deepEqual(await locks(), firstCoins, 'locked again by the first link and sync');

    // bitcoind alone restarts; the next PSBT comes before any sync and must not take the first one's coins.
    await core.stop();
    await core.start();
    await core.rpc('loadwallet', [coreWallet]);
    const second = await t.specter.psbts.create(admin, wallet.alias, { recipients: [{ address: nobody, amount: 15_000_000 }], fee_rate: 2 });
    const secondCoins = second.inputs.map((i) => `${i.txid}:${i.vout}`);
    assert.ok(!secondCoins.some((c) => firstCoins.includes(c)), 'the second PSBT spends other coins');
    assert.deepEqual(await locks(), [...firstCoins, ...secondCoins].sort());

    // Still signable and broadcastable after all that.
    await signingWallet(core, 'restart-keys', keys);
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: first.psbt, finalize: false }, 'restart-keys');
    const merged = await t.specter.psbts.addSignatures(admin, wallet.alias, first.txid, signed.psbt);
    assert.equal(merged.complete, true);
    const sent = await t.specter.psbts.broadcast(admin, wallet.alias, first.txid);
    assert.equal(sent.txid, first.txid);
    assert.deepEqual(
      (await t.specter.psbts.list(admin, wallet.alias)).map((p) => p.txid),
      [second.txid],
    );
    await t.specter.psbts.remove(admin, wallet.alias, second.txid);
    assert.deepEqual(await t.specter.psbts.list(admin, wallet.alias), []);
    assert.ok(!(await locks()).some((c) => secondCoins.includes(c)), "deleting unlocks the second PSBT's coins");
  });
});
