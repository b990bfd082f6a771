/**
 * The send flow against a real regtest bitcoind, through the JSON API: a PSBT created on the
 * wallet's watch-only Core wallet (version 0, derivations on inputs and change, coins locked),
 * signed by Core wallets holding the keys (Core's own signer, standing in for devices), uploaded,
 * combined, finalized, broadcast, mined; the history and the balance agree with the PSBT to the
 * satoshi. Single-key wpkh and a 2-of-3 wsh(sortedmulti) wallet; bad input, each a clear error
 * with nothing stored or locked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Psbt } from '../../../src/bitcoin/psbt.js';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import { satsToBtc } from '../../../src/managers/chain/index.js';
import type { User } from '../../../src/managers/users/index.js';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';
import { multisigKeysFor, multisigSigner } from '../../helpers/multisig-keys.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

interface View {
  txid: string;
  psbt: string;
  fee: number;
  fee_rate: number;
  vsize: number;
  amount: number;
  complete: boolean;
  signed_by: string[];
  signatures: { have: number; need: number; of: number };
  inputs: Array<{ txid: string; vout: number; address: string; amount: number; ownership: string }>;
  outputs: Array<{ vout: number; address: string; amount: number; ownership: string; label: string | null }>;
}

describe('send (PSBTs) against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;
  let coreVersion: number;

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
    coreVersion = (await core.rpc<{ version: number }>('getnetworkinfo')).version;
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url: `/api/v1${url}`, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() };
  };
  const sync = async (alias: string) => {
    await core.rpc('syncwithvalidationinterfacequeue');
    return t.specter.chain.sync(admin, alias);
  };
  const fund = async (alias: string, amounts: number[]) => {
    const wallet = await t.specter.walletsOf(admin).get(alias);
    for (const [i, sats] of amounts.entries()) await core.send(await wallet.getAddress(wallet.addressIndex + i), sats);
    await core.mine(1);
    await sync(alias);
  };
  const coreWallet = async (alias: string) => (await t.specter.chain.link(admin, alias)).coreWallet;
  const locks = async (alias: string) =>
    (await core.rpc<Array<{ txid: string; vout: number }>>('listlockunspent', [], await coreWallet(alias))).map((l) => `${l.txid}:${l.vout}`).sort();
  const sign = async (signer: string, psbt: string) =>
    (await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt, sign: true, sighashtype: 'ALL', bip32derivs: true, finalize: false }, signer))
      .psbt;
  const create = async (alias: string, body: Record<string, unknown>) => {
    const res = await api('POST', `/wallets/${alias}/psbts`, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as View;
  };
  const expectError = async (res: { status: number; body: { error?: { code: string; message: string } } }, code: string, status: number) => {
    assert.equal(res.body.error?.code, `SPECTER_ERR_${code}`, JSON.stringify(res.body));
    assert.equal(res.status, status);
    assert.ok((res.body.error?.message.length ?? 0) > 10, 'a message in words');
  };

  it('single-key wpkh: create → Core signs → upload → broadcast → mined; history and balance as the PSBT said', async () => {
    const keys = keysFor('psbt-single');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'single', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await fund(wallet.alias, [30_000_000, 20_000_000]);
    const before = await t.specter.chain.balance(admin, wallet.alias);
    assert.equal(before.confirmed, 50_000_000);
    const changeIndex = wallet.changeIndex;
    const changeAddress = await wallet.getAddress(changeIndex, true);

    const view = await create(wallet.alias, { recipients: [{ address: nobody, amount: 12_345_678, label: 'Rent' }], fee_rate: 3 });
    assert.match(view.txid, /^[0-9a-f]{64}$/);
    assert.equal(view.complete, false);
    assert.deepEqual(view.signatures, { have: 0, need: 1, of: 1 });
    const external = view.outputs.filter((o) => o.ownership === 'external');
    assert.deepEqual(external, [{ vout: external[0]!.vout, address: nobody, amount: 12_345_678, ownership: 'external', label: 'Rent' }]);
    const change = view.outputs.find((o) => o.ownership === 'change');
    assert.equal(change?.address, changeAddress, "the change goes to the wallet's next change address");
    assert.equal((await t.specter.walletsOf(admin).get(wallet.alias)).changeIndex, changeIndex + 1, 'the change index advanced');
    const totalIn = view.inputs.reduce((s, i) => s + i.amount, 0);
    assert.equal(totalIn - view.outputs.reduce((s, o) => s + o.amount, 0), view.fee, 'inputs − outputs = fee');
    for (const i of view.inputs) assert.equal(i.ownership, 'receive');
    assert.equal(view.amount, 12_345_678);
    assert.ok(Math.abs(view.fee - 3 * view.vsize) <= 3, `fee ${view.fee} for ${view.vsize} vB at 3 sat/vB`);
    assert.equal(view.fee_rate, Math.round((view.fee * 10) / view.vsize) / 10);

    // What goes to a device: version 0, UTXOs and derivations on every input and on the change.
    Psbt.fromBase64(view.psbt);
    const decoded = await core.rpc<{
      psbt_version?: number;
      tx: { vin: Array<{ sequence: number }> };
      inputs: Array<{ witness_utxo?: unknown; non_witness_utxo?: unknown; bip32_derivs?: Array<{ master_fingerprint: string }> }>;
      outputs: Array<{ bip32_derivs?: Array<{ master_fingerprint: string; path: string }> }>;
    }>('decodepsbt', [view.psbt]);
    assert.equal(decoded.psbt_version ?? 0, 0);
    const fingerprint = wallet.descriptor.keys[0]!.fingerprint!;
    for (const input of decoded.inputs) {
      assert.ok(input.witness_utxo && input.non_witness_utxo);
      assert.equal(input.bip32_derivs?.[0]?.master_fingerprint, fingerprint);
    }
    assert.equal(decoded.outputs[change!.vout]!.bip32_derivs?.[0]?.path, `m/84h/1h/0h/1/${changeIndex}`);
    assert.ok(
      decoded.tx.vin.every((v) => v.sequence < 0xfffffffe),
      'replaceable (BIP-125) by default',
    );
    assert.deepEqual(await locks(wallet.alias), view.inputs.map((i) => `${i.txid}:${i.vout}`).sort(), 'its coins are locked on Core');
    const listed = await api('GET', `/wallets/${wallet.alias}/psbts`);
    assert.deepEqual(
      listed.body.psbts.map((p: View) => p.txid),
      [view.txid],
    );

    await signingWallet(core, 'single-keys', keys);
    const signed = await sign('single-keys', view.psbt);
    const merged = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/signatures`, { psbt: signed });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal(merged.body.complete, true);
    assert.deepEqual(merged.body.signed_by, [fingerprint]);
    assert.match(merged.body.hex, /^[0-9a-f]+$/);
    // The same signed copy again, as hex this time: an idempotent no-op with the same answer.
    const again = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/signatures`, {
      psbt: Buffer.from(signed, 'base64').toString('hex'),
    });
    assert.deepEqual(again.body, merged.body);

    const sent = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/broadcast`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.txid, view.txid, 'segwit: the unsigned id is the final id');
    assert.deepEqual((await api('GET', `/wallets/${wallet.alias}/psbts`)).body.psbts, []);
    const history = await t.specter.chain.history(admin, wallet.alias);
    const row = history.transactions.find((r) => r.txid === view.txid);
    assert.ok(row, 'the history shows the send at once');
    assert.equal(row.category, 'send');
    assert.equal(row.fee, view.fee);
    assert.equal(row.amount, -(12_345_678 + view.fee));

    await core.mine(1);
    await sync(wallet.alias);
    const afterBalance = await t.specter.chain.balance(admin, wallet.alias);
    assert.equal(afterBalance.confirmed, before.confirmed - 12_345_678 - view.fee, 'before − amount − fee, to the satoshi');
    const mined = (await t.specter.chain.history(admin, wallet.alias)).transactions.find((r) => r.txid === view.txid)!;
    assert.ok(mined.confirmations >= 1);
    assert.equal(mined.fee, view.fee);
  });

  it('2-of-3 wsh(sortedmulti): two copies signed by two keys, uploaded one by one → combined → complete → broadcast', async () => {
    const ms = multisigKeysFor('two-of-three', 2, 3);
    const wallet = await t.specter.walletsOf(admin).importDescriptor(ms.watch, { name: 'multi', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await fund(wallet.alias, [40_000_000]);
    const before = await t.specter.chain.balance(admin, wallet.alias);
    const view = await create(wallet.alias, { recipients: [{ address: nobody, amount: 15_000_000 }], fee_rate: 2 });
    assert.deepEqual(view.signatures, { have: 0, need: 2, of: 3 });
    const decoded = await core.rpc<{ outputs: Array<{ bip32_derivs?: unknown[] }>; inputs: Array<{ bip32_derivs?: unknown[] }> }>('decodepsbt', [
      view.psbt,
    ]);
    const changeVout = view.outputs.find((o) => o.ownership === 'change')!.vout;
    assert.equal(decoded.outputs[changeVout]!.bip32_derivs?.length, 3, 'the change carries the derivations of all three keys');
    assert.equal(decoded.inputs[0]!.bip32_derivs?.length, 3);

    await multisigSigner(core, 'multi-a', ms, 0);
    await multisigSigner(core, 'multi-c', ms, 2);
    const copyA = await sign('multi-a', view.psbt);
    // Core ≥ 31 writes version 2 PSBTs: the second device answers with one of those when the node can make it.
    let copyC: string;
    if (coreVersion >= 310_000) {
      const unsigned = Buffer.from(Psbt.fromBase64(view.psbt).data.globalMap.unsignedTx.toBuffer()).toString('hex');
      const v2 = await core.rpc<string>('converttopsbt', { hexstring: unsigned, permitsigdata: false, iswitness: true, psbt_version: 2 });
      copyC = await sign('multi-c', v2);
      assert.equal((await core.rpc<{ psbt_version: number }>('decodepsbt', [copyC])).psbt_version, 2);
    } else {
      copyC = await sign('multi-c', view.psbt);
    }

    const first = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/signatures`, { psbt: copyA });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.complete, false);
    assert.deepEqual(first.body.signed_by, [ms.keys[0]!.fingerprint]);
    assert.equal(first.body.hex, undefined);
    const pending = (await api('GET', `/wallets/${wallet.alias}/psbts/${view.txid}`)).body.psbt as View & { signers: unknown };
    assert.deepEqual(pending.signatures, { have: 1, need: 2, of: 3 });
    assert.deepEqual(pending.signers, [
      { fingerprint: ms.keys[0]!.fingerprint, signed: true },
      { fingerprint: ms.keys[1]!.fingerprint, signed: false },
      { fingerprint: ms.keys[2]!.fingerprint, signed: false },
    ]);
    const broadcastEarly = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/broadcast`);
    await expectError(broadcastEarly, 'VALIDATION', 400);

    const second = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/signatures`, { psbt: copyC });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.complete, true);
    assert.deepEqual([...second.body.signed_by].sort(), [ms.keys[0]!.fingerprint, ms.keys[2]!.fingerprint].sort());
    assert.ok(second.body.hex);

    const sent = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/broadcast`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    await core.mine(1);
    await sync(wallet.alias);
    const row = (await t.specter.chain.history(admin, wallet.alias)).transactions.find((r) => r.txid === sent.body.txid)!;
    assert.equal(row.category, 'send');
    assert.equal(row.fee, view.fee);
    assert.equal(row.amount, -(15_000_000 + view.fee));
    assert.equal((await t.specter.chain.balance(admin, wallet.alias)).confirmed, before.confirmed - 15_000_000 - view.fee);
  });

  it('a final raw transaction (hex) as the signed copy: complete, the signer read from the witness', async () => {
    const keys = keysFor('psbt-raw');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'raw', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await fund(wallet.alias, [5_000_000]);
    const view = await create(wallet.alias, { recipients: [{ address: nobody, amount: 1_000_000 }], fee_rate: 1, rbf: false });
    const decoded = await core.rpc<{ tx: { vin: Array<{ sequence: number }> } }>('decodepsbt', [view.psbt]);
    assert.ok(
      decoded.tx.vin.every((v) => v.sequence >= 0xfffffffe),
      'rbf: false is not replaceable',
    );
    await signingWallet(core, 'raw-keys', keys);
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', [view.psbt], 'raw-keys');
    const raw = await core.rpc<{ hex: string }>('finalizepsbt', [signed.psbt]);
    const merged = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/signatures`, { psbt: raw.hex });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body, { complete: true, psbt: merged.body.psbt, hex: raw.hex, signed_by: [wallet.descriptor.keys[0]!.fingerprint] });
    const sent = await api('POST', `/wallets/${wallet.alias}/psbts/${view.txid}/broadcast`);
    assert.equal(sent.body.txid, view.txid);
  });

  it('bad input: each a clear catalogue error, nothing stored and nothing locked', async () => {
    const keys = keysFor('psbt-bad');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'bad', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await fund(wallet.alias, [10_000_000, 10_000_000]);
    const url = `/wallets/${wallet.alias}/psbts`;
    const nothingChanged = async () => {
      assert.deepEqual((await api('GET', url)).body.psbts, []);
      assert.deepEqual(await locks(wallet.alias), []);
    };
    const ok = { address: nobody, amount: 1_000_000 };

    await expectError(
      await api('POST', url, { recipients: [{ address: 'bcrt1qnotanaddress', amount: 1_000 }], fee_rate: 1 }),
      'PSBT_INVALID_ADDRESS',
      400,
    );
    await expectError(
      await api('POST', url, { recipients: [{ address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', amount: 1_000_000 }], fee_rate: 1 }),
      'PSBT_WRONG_NETWORK',
      400,
    );
    await expectError(await api('POST', url, { recipients: [{ address: nobody, amount: 30_000_000 }], fee_rate: 1 }), 'PSBT_INSUFFICIENT_FUNDS', 409);
    // Everything, without subtracting the fee: Core finds no room for the fee.
    await expectError(await api('POST', url, { recipients: [{ address: nobody, amount: 19_999_990 }], fee_rate: 1 }), 'PSBT_INSUFFICIENT_FUNDS', 409);
    await expectError(await api('POST', url, { recipients: [{ address: nobody, amount: 100 }], fee_rate: 1 }), 'PSBT_DUST', 400);
    await expectError(await api('POST', url, { recipients: [ok], fee_rate: 0 }), 'PSBT_FEE_RATE', 400);
    await expectError(await api('POST', url, { recipients: [ok], fee_rate: 5_000 }), 'PSBT_FEE_RATE', 400);
    await expectError(await api('POST', url, { recipients: [ok], fee_rate: 1, utxos: [`${'0'.repeat(64)}:0`] }), 'UTXO_NOT_FOUND', 404);
    await nothingChanged();

    // A high fee rate with the confirmation is accepted; deleting the PSBT unlocks its coins.
    const high = await create(wallet.alias, { recipients: [ok], fee_rate: 5_000, confirm_high_fee: true });
    assert.ok(high.fee >= 5_000 * 100);
    assert.equal((await locks(wallet.alias)).length, high.inputs.length);
    const deleted = await api('DELETE', `${url}/${high.txid}`);
    assert.equal(deleted.status, 200);
    await nothingChanged();

    // Two pending PSBTs on two different coins (the first one's coin is locked).
    const one = await create(wallet.alias, { recipients: [ok], fee_rate: 1 });
    const two = await create(wallet.alias, { recipients: [ok], fee_rate: 1 });
    assert.notDeepEqual(one.inputs, two.inputs);
    const oneCoins = one.inputs.map((i) => `${i.txid}:${i.vout}`);
    await expectError(await api('POST', url, { recipients: [ok], fee_rate: 1, utxos: oneCoins }), 'VALIDATION', 400);

    const upload = (txid: string, psbt: string) => api('POST', `${url}/${txid}/signatures`, { psbt });
    await signingWallet(core, 'bad-keys', keys);
    const twoSigned = await sign('bad-keys', two.psbt);
    await expectError(await upload(one.txid, twoSigned), 'PSBT_NOT_THIS_WALLET', 409);
    await expectError(await upload(one.txid, 'cHNidP8BAHECAAAAAf//////'), 'PSBT_CORRUPT', 400);
    await expectError(await upload(one.txid, 'not a psbt at all!'), 'PSBT_CORRUPT', 400);
    await expectError(await upload(one.txid, 'deadbeef'), 'PSBT_CORRUPT', 400);
    await expectError(await upload('f'.repeat(64), twoSigned), 'PSBT_NOT_FOUND', 404);
    const oneStored = (await api('GET', `${url}/${one.txid}`)).body.psbt as View;
    assert.equal(oneStored.psbt, one.psbt, 'nothing merged into the first PSBT');

    // Double broadcast: the transaction reached the network another way first.
    const oneFinal = await upload(one.txid, await sign('bad-keys', one.psbt));
    assert.equal(oneFinal.body.complete, true);
    await core.rpc('sendrawtransaction', [oneFinal.body.hex]);
    await expectError(await api('POST', `${url}/${one.txid}/broadcast`), 'PSBT_ALREADY_BROADCAST', 409);

    // A transaction Core rejects: the second PSBT's coin was spent by another transaction, mined.
    assert.equal((await upload(two.txid, twoSigned)).body.complete, true);
    const elsewhere = await core.rpc<{ psbt: string }>(
      'walletcreatefundedpsbt',
      {
        inputs: two.inputs.map((i) => ({ txid: i.txid, vout: i.vout })),
        outputs: [{ [nobody]: satsToBtc(9_000_000) }],
        options: { add_inputs: false },
      },
      'bad-keys',
    );
    const spent = await core.rpc<{ hex: string }>('finalizepsbt', [
      (await core.rpc<{ psbt: string }>('walletprocesspsbt', [elsewhere.psbt], 'bad-keys')).psbt,
    ]);
    await core.rpc('sendrawtransaction', [spent.hex]);
    await core.mine(1);
    const rejected = await api('POST', `${url}/${two.txid}/broadcast`);
    await expectError(rejected, 'PSBT_REJECTED', 409);
    assert.match(rejected.body.error.message, /already spent/);

    // The next sync sees both sets of coins spent: the pending PSBTs go, their locks with them.
    await sync(wallet.alias);
    await nothingChanged();
    await expectError(await api('POST', `${url}/${one.txid}/broadcast`), 'PSBT_NOT_FOUND', 404);
  });
});
