/**
 * Watch-only wallets on the node: `specter<uid>/<alias>` descriptor wallets whose addresses are the
 * ones the app's own deriver (src/bitcoin) gives, `bcrt1…` on regtest; rescans from a height;
 * load/unload; and a wallet of the wrong network is refused before anything is created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { createAddressDeriver, parseDescriptor, type ParsedDescriptor } from '../../../src/bitcoin/index.js';
import { bip32 } from '../../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../../src/bitcoin/networks.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { RpcClient, coreWalletName, importWallet, loadCoreWallet, unloadCoreWallet } from '../../../src/managers/nodes/index.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { TPUB_84 } from '../../unit/bitcoin/fixtures.js';
import { BIP84 } from '../../unit/bitcoin/fixtures.js';

/** A tpub at m/48h/1h/0h/2h of a fixed test seed, with its origin. */
function multisigKey(seedText: string): string {
  const root = bip32.fromSeed(createHash('sha256').update(seedText).digest(), NETWORKS.regtest);
  const fp = Buffer.from(root.fingerprint).toString('hex');
  return `[${fp}/48h/1h/0h/2h]${root.derivePath("m/48'/1'/0'/2'").neutered().toBase58()}`;
}

const listWallets = (c: RpcClient) => c.call<string[]>('listwallets');

describe('watch-only wallets on the node', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let client: RpcClient;
  before(async () => {
    core = await startBitcoind(undefined);
    client = new RpcClient(await core.connection(), { timeoutMs: 120_000 });
  });
  after(async () => {
    client?.close();
    await core?.destroy();
  });

  const cases: Array<[string, () => ParsedDescriptor]> = [
    ['single-sig wpkh', () => parseDescriptor(`wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`, { network: 'regtest' })],
    [
      '2-of-3 wsh sortedmulti',
      () => parseDescriptor(`wsh(sortedmulti(2,${['a', 'b', 'c'].map((s) => `${multisigKey(s)}/<0;1>/*`).join(',')}))`, { network: 'regtest' }),
    ],
  ];
  for (const [what, make] of cases) {
    it(`${what}: Core derives the same bcrt1 addresses as the app`, async () => {
      const d = make();
      const name = coreWalletName('admin', what.startsWith('single') ? 'single' : 'multi');
      assert.match(name, /^specteradmin\/(single|multi)$/);
      const r = await importWallet(client, {
        name,
        receiveDescriptor: d.receiveDescriptor,
        changeDescriptor: d.changeDescriptor!,
        range: 30,
        rescanFrom: 'now',
        network: 'regtest',
      });
      assert.equal(r.created, true);
      assert.equal(r.timestamp, 'now');
      const info = await client.wallet(name).call<{ private_keys_enabled: boolean; descriptors: boolean }>('getwalletinfo');
      assert.equal(info.private_keys_enabled, false);
      assert.equal(info.descriptors, true);

      const app = createAddressDeriver(d);
      const receive = app.deriveSync(0, 0, 10);
      const change = app.deriveSync(1, 0, 3);
      assert.ok(
        receive.every((a) => a.startsWith('bcrt1')),
        receive[0],
      );
      assert.deepEqual(await client.call('deriveaddresses', [d.receiveDescriptor, [0, 9]]), receive);
      const got = [];
      for (let i = 0; i < 3; i++) got.push(await client.wallet(name).call<string>('getnewaddress'));
      assert.deepEqual(got, receive.slice(0, 3), "the active receive descriptor hands out the app's addresses in order");
      assert.equal(await client.wallet(name).call<string>('getrawchangeaddress'), change[0]);
      const addrInfo = await client.wallet(name).call<{ ismine: boolean; iswatchonly?: boolean; solvable: boolean }>('getaddressinfo', [receive[9]]);
      assert.equal(addrInfo.ismine, true);
      assert.equal(addrInfo.solvable, true);
    });
  }

  it("a payment made before the import is found by the rescan from the wallet's blockheight", async () => {
    const d = parseDescriptor(`wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`, { network: 'regtest' });
    const addresses = createAddressDeriver(d).deriveSync(0, 0, 10);
    const height = await client.call<number>('getblockcount');
    await core.send(addresses[7]!, 1_234_567);
    await core.mine(1);
    // The block's notifications reach Core's wallets asynchronously; a wallet created while they are
    // still queued may skip the block (seen once on a loaded CI machine).
    await core.rpc('syncwithvalidationinterfacequeue');
    const name = coreWalletName('admin', 'rescanned');
    const r = await importWallet(client, {
      name,
      receiveDescriptor: d.receiveDescriptor,
      changeDescriptor: d.changeDescriptor!,
      range: [0, 20],
      rescanFrom: height + 1,
      network: 'regtest',
    });
    const hash = await client.call<string>('getblockhash', [height + 1]);
    assert.equal(r.timestamp, (await client.call<{ time: number }>('getblockheader', [hash])).time, "blockheight → that block's time");
    const balances = await client.wallet(name).call<{ mine: { trusted: number } }>('getbalances');
    assert.equal(Math.round(balances.mine.trusted * 1e8), 1_234_567);
    const received = await client.wallet(name).call<Array<{ address: string }>>('listreceivedbyaddress');
    assert.deepEqual(
      received.map((x) => x.address),
      [addresses[7]],
    );
  });

  it('unloads on delete, loads at start, and a second import reuses the wallet', async () => {
    const d = parseDescriptor(`wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`, { network: 'regtest' });
    const name = coreWalletName('bob', 'reloaded');
    const opts = {
      name,
      receiveDescriptor: d.receiveDescriptor,
      changeDescriptor: d.changeDescriptor!,
      range: 10,
      rescanFrom: 'now' as const,
      network: 'test' as const,
    };
    assert.equal((await importWallet(client, opts)).created, true, 'a "test" wallet serves a regtest node (same key family)');
    assert.equal(await unloadCoreWallet(client, name), true);
    assert.ok(!(await listWallets(client)).includes(name));
    assert.equal(await unloadCoreWallet(client, name), false, 'not loaded is fine');
    assert.equal(await loadCoreWallet(client, name), true);
    assert.equal(await loadCoreWallet(client, name), false, 'already loaded is fine');
    await unloadCoreWallet(client, name);
    const again = await importWallet(client, opts);
    assert.deepEqual([again.created, again.imported], [false, false], 'the same descriptors over the range: nothing imported, no rescan');
    assert.ok((await listWallets(client)).includes(name));
    const wider = await importWallet(client, { ...opts, range: 2_000 });
    assert.deepEqual([wider.created, wider.imported], [false, true], 'a wider range is imported');
    const other = parseDescriptor(`wpkh([73c5da0a/84h/1h/1h]${TPUB_84}/<0;1>/*)`, { network: 'regtest' });
    const replaced = await importWallet(client, { ...opts, receiveDescriptor: other.receiveDescriptor, changeDescriptor: other.changeDescriptor! });
    assert.equal(replaced.imported, true, 'an alias used again with other keys is imported');
  });

  it('a mainnet wallet on a regtest node is NODE_CHAIN_MISMATCH and nothing is created on the node', async () => {
    const d = parseDescriptor(`wpkh([73c5da0a/84h/0h/0h]${BIP84.xpub}/<0;1>/*)`, { network: 'main' });
    const name = coreWalletName('admin', 'mainnet');
    await assert.rejects(
      importWallet(client, {
        name,
        receiveDescriptor: d.receiveDescriptor,
        changeDescriptor: d.changeDescriptor!,
        range: 10,
        rescanFrom: 0,
        network: 'main',
      }),
      (err: unknown) => {
        assert.ok(isSpecterError(err, 'NODE_CHAIN_MISMATCH'));
        assert.match(err.message, /mainnet wallet but the node runs regtest/);
        assert.match(err.hint ?? '', /Connect a node of the wallet's network/);
        return true;
      },
    );
    const dir = await client.call<{ wallets: Array<{ name: string }> }>('listwalletdir');
    assert.ok(!dir.wallets.some((w) => w.name === name));
  });
});
