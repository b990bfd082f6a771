/**
 * The Send pages as a user meets them, against a real regtest bitcoind: the form (bad input shown
 * again with what was typed and the error beside its field, nothing locked), create → the PSBT
 * page (review, animated QR whose frames rebuild the PSBT), both downloads, a Core-signed copy
 * uploaded as its file would be read and pasted again → complete → broadcast → the History row;
 * delete with a confirmation unlocks the coins. Without a node the tab says what is missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import { UrPsbtReader } from '../../../src/bitcoin/ur-psbt.js';
import type { User } from '../../../src/managers/users/index.js';
import { createTestSpecter, type TestClient, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';
import { multisigKeysFor, multisigSigner } from '../../helpers/multisig-keys.js';
import { decodeQrSvg } from '../../helpers/qr-decode.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('send-pages-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;
const other = createAddressDeriver(parseDescriptor(keysFor('send-pages-other').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;
const MAINNET = 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq';

/** The value attribute of the input with this id, HTML-unescaped enough for addresses and amounts. */
function fieldValue(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]* value="([^"]*)"`).exec(html)?.[1];
}

describe('Send pages against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;
  let client: TestClient;
  let alias: string;
  const base = () => `/spc/wallets/${alias}`;

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
    const keys = keysFor('send-pages');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'Send Pages', network: 'test' });
    alias = wallet.alias;
    await t.specter.chain.link(admin, alias);
    await signingWallet(core, 'send-pages-keys', keys);
    for (const [i, sats] of [30_000_000, 20_000_000].entries()) await core.send(await wallet.getAddress(i), sats);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, alias);
    client = t.client();
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  const coreWallet = async () => (await t.specter.chain.link(admin, alias)).coreWallet;
  const locks = async () => (await core.rpc<Array<{ txid: string; vout: number }>>('listlockunspent', [], await coreWallet())).length;

  it('the Send tab: form, coins to choose, no pending PSBTs; bad input comes back with the input and the error beside its field', async () => {
    const page = await client.get(`${base()}/send/new`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<a[^>]*href="\/spc\/wallets\/send-pages\/send\/new"[^>]*>Send</, 'the tab bar has Send');
    assert.equal((page.body.match(/name="utxos" value="[0-9a-f]{64}:\d+"/g) ?? []).length, 2, 'both coins can be chosen');
    assert.match(page.body, /No pending PSBTs/);
    assert.match(page.body, /id="fee-suggestions" data-url="\/spc\/wallets\/send-pages\/send\/fees" hidden/, 'suggestions come after the page');
    const fees = await client.get(`${base()}/send/fees`);
    assert.equal(fees.statusCode, 200);
    assert.deepEqual(Object.keys(fees.json()).sort(), ['fast', 'medium', 'minimum', 'notice', 'slow', 'source']);

    const form = { address: MAINNET, amount: '0.001', label: 'Rent', fee_rate: '2', rbf: 'yes' };
    const wrongNet = await client.post(`${base()}/send/new`, form);
    assert.equal(wrongNet.statusCode, 400);
    assert.match(wrongNet.body, /data-field="recipients\.0\.address"[\s\S]*SPECTER_ERR_PSBT_WRONG_NETWORK/);
    assert.match(wrongNet.body, /mainnet, not of this wallet/);
    assert.equal(fieldValue(wrongNet.body, 'address-0'), MAINNET, 'the address is kept');
    assert.equal(fieldValue(wrongNet.body, 'label-0'), 'Rent');
    assert.equal(fieldValue(wrongNet.body, 'fee-rate'), '2');

    const badAmount = await client.post(`${base()}/send/new`, { ...form, address: nobody, amount: '1,5' });
    assert.equal(badAmount.statusCode, 400);
    assert.match(badAmount.body, /data-field="recipients\.0\.amount"[\s\S]*not an amount in BTC[\s\S]*at most 8 decimals/);
    assert.equal(fieldValue(badAmount.body, 'amount-0'), '1,5');
    assert.equal(fieldValue(badAmount.body, 'address-0'), nobody);

    const zeroFee = await client.post(`${base()}/send/new`, { ...form, address: nobody, fee_rate: '0' });
    assert.equal(zeroFee.statusCode, 400);
    assert.match(zeroFee.body, /data-field="fee_rate"[\s\S]*SPECTER_ERR_PSBT_FEE_RATE/);

    const tooMuch = await client.post(`${base()}/send/new`, { ...form, address: nobody, amount: '2' });
    assert.equal(tooMuch.statusCode, 409);
    assert.match(tooMuch.body, /id="form-error"[\s\S]*SPECTER_ERR_PSBT_INSUFFICIENT_FUNDS/);

    const more = await client.post(`${base()}/send/new`, { ...form, action: 'add' });
    assert.equal(more.statusCode, 200);
    assert.ok(more.body.includes('id="address-1"'), 'a second recipient row');
    assert.equal(fieldValue(more.body, 'address-0'), MAINNET);

    assert.equal(await locks(), 0, 'nothing locked');
    assert.deepEqual(await t.specter.psbts.list(admin, alias), [], 'nothing stored');
  });

  it('create → PSBT page (review, QR frames) → downloads → signed copy uploaded, pasted again → broadcast → History', async () => {
    const created = await client.post(`${base()}/send/new`, { address: nobody, amount: '0.12345678', label: 'Rent', fee_rate: '3', rbf: 'yes' });
    assert.equal(created.statusCode, 302, created.body);
    const location = String(created.headers.location);
    const txid = /\/psbt\/([0-9a-f]{64})\/$/.exec(location)?.[1];
    assert.ok(txid, location);
    const view = await t.specter.psbts.get(admin, alias, txid);
    assert.equal(await locks(), view.inputs.length, 'its coins are locked');

    const page = await client.follow(created);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /PSBT created: 1 payment/);
    assert.match(
      page.body,
      new RegExp(
        `data-ownership="external"><td>\\d</td><td><span class="addr">${nobody}</span> <span class="muted">Rent</span>[\\s\\S]*?0\\.12345678 BTC`,
      ),
    );
    assert.match(page.body, /data-ownership="change"/);
    assert.match(page.body, /0 of 1 signature/);
    assert.match(page.body, /data-signed="no"/);
    assert.ok(page.body.includes(`${view.vsize} vB`));

    // The animated QR's frames, read back as a camera would, rebuild the same PSBT.
    const urBlock = /<div class="qr ur-frames"[^>]*data-ur-frames[^>]*>([\s\S]*?)<p class="hint" data-ur-counter/.exec(page.body)?.[1] ?? '';
    const svgs = urBlock.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    assert.ok(svgs.length >= 1, 'UR frames on the page');
    const reader = new UrPsbtReader();
    let rebuilt: Uint8Array | undefined;
    for (const svg of svgs) {
      const text = decodeQrSvg(svg);
      assert.ok(text, 'each frame decodes');
      const progress = reader.receive(text);
      if (progress.done) rebuilt = progress.psbt;
    }
    assert.equal(Buffer.from(rebuilt!).toString('base64'), view.psbt, 'the frames carry the PSBT');

    const binary = await client.get(`${base()}/psbt/${txid}/binary.psbt`);
    assert.equal(binary.statusCode, 200);
    assert.equal(binary.headers['content-disposition'], `attachment; filename="binary_${txid}.psbt"`);
    assert.equal(binary.rawPayload.toString('base64'), view.psbt);
    const text = await client.get(`${base()}/psbt/${txid}/base64.psbt`);
    assert.equal(text.headers['content-disposition'], `attachment; filename="base64_${txid}.psbt"`);
    assert.equal(text.body, view.psbt);

    const pending = await client.get(`${base()}/send/new`);
    assert.ok(pending.body.includes(`data-psbt="${txid}"`), 'listed as pending on the Send tab');
    assert.match(pending.body, /in a pending PSBT/, 'its coins cannot be chosen again');

    // A corrupt upload: the PSBT page again with the error and the text.
    const corrupt = await client.post(`${base()}/psbt/${txid}/sign`, { signed: 'cHNidP8BAgarbage' });
    assert.equal(corrupt.statusCode, 400);
    assert.match(corrupt.body, /SPECTER_ERR_PSBT_CORRUPT/);
    assert.ok(corrupt.body.includes('cHNidP8BAgarbage</textarea>'));

    // Core signs the downloaded file; the browser reads the signed binary file into the textarea as base64.
    const signed = (
      await core.rpc<{ psbt: string }>(
        'walletprocesspsbt',
        { psbt: binary.rawPayload.toString('base64'), sign: true, sighashtype: 'ALL', bip32derivs: true, finalize: false },
        'send-pages-keys',
      )
    ).psbt;
    const upload = await client.post(`${base()}/psbt/${txid}/sign`, { signed: `${signed.replace(/(.{64})/g, '$1\n')}\n` });
    assert.equal(upload.statusCode, 302);
    const fp = t.specter
      .walletsOf(admin)
      .get(alias)
      .then((w) => w.descriptor.keys[0]!.fingerprint);
    const signedPage = await client.follow(upload);
    assert.match(signedPage.body, new RegExp(`Signed by [^<]*${await fp} \\(1 of 1\\)\\. The transaction is complete`));
    assert.match(signedPage.body, /data-signed="yes"/);
    assert.match(signedPage.body, />Broadcast</);

    const again = await client.post(`${base()}/psbt/${txid}/sign`, { signed });
    assert.match((await client.follow(again)).body, /already complete: nothing changed/);

    const sent = await client.post(`${base()}/psbt/${txid}/broadcast`);
    assert.equal(sent.statusCode, 302);
    assert.equal(sent.headers.location, `${base()}/history/`);
    const history = await client.follow(sent);
    assert.match(history.body, new RegExp(`Transaction ${txid} broadcast`));
    assert.ok(history.body.includes(`data-txid="${txid}"`), 'the History row');
    assert.deepEqual(await t.specter.psbts.list(admin, alias), []);

    const twice = await client.post(`${base()}/psbt/${txid}/broadcast`);
    assert.equal(twice.statusCode, 404, 'a broadcast PSBT is gone');
  });

  it('delete asks first, then unlocks the coins', async () => {
    const created = await client.post(`${base()}/send/new`, { address: nobody, amount: '100000', amount_unit: 'sat', fee_rate: '1.5', rbf: 'yes' });
    assert.equal(created.statusCode, 302, created.body);
    const txid = /\/psbt\/([0-9a-f]{64})\/$/.exec(String(created.headers.location))![1]!;
    assert.ok((await locks()) > 0);
    const confirm = await client.get(`${base()}/psbt/${txid}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete the PSBT/);
    const cancelled = await client.post(`${base()}/psbt/${txid}/delete`, {});
    assert.equal(cancelled.statusCode, 302);
    assert.equal((await t.specter.psbts.list(admin, alias)).length, 1, 'no confirmation, nothing deleted');
    const deleted = await client.post(`${base()}/psbt/${txid}/delete`, { confirm: 'yes' });
    assert.equal(deleted.headers.location, `${base()}/send/new`);
    assert.match((await client.follow(deleted)).body, /deleted; its coins are unlocked/);
    assert.equal(await locks(), 0);
  });

  it('a high fee rate asks for a confirmation; a transaction Core rejects shows its reason on the PSBT page', async () => {
    const high = await client.post(`${base()}/send/new`, { address: nobody, amount: '0.001', fee_rate: '1500', rbf: 'yes' });
    assert.equal(high.statusCode, 400);
    assert.match(high.body, /data-field="fee_rate"[\s\S]*very high/);
    assert.match(high.body, /name="confirm_high_fee" value="yes"/, 'the confirmation box is offered');

    const created = await client.post(`${base()}/send/new`, { address: nobody, amount: '0.001', fee_rate: '2', rbf: 'yes' });
    const txid = /\/psbt\/([0-9a-f]{64})\/$/.exec(String(created.headers.location))![1]!;
    const view = await t.specter.psbts.get(admin, alias, txid);
    const signed = (await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: view.psbt, sign: true, finalize: false }, 'send-pages-keys')).psbt;
    assert.equal((await client.post(`${base()}/psbt/${txid}/sign`, { signed })).statusCode, 302);
    // The same key spends the same coin elsewhere at a higher fee (the key holder does not know our lock).
    const input = view.inputs[0]!;
    await core.rpc(
      'send',
      { outputs: [{ [nobody]: 0.002 }], fee_rate: 25, options: { inputs: [{ txid: input.txid, vout: input.vout }], add_inputs: false } },
      'send-pages-keys',
    );
    const refused = await client.post(`${base()}/psbt/${txid}/broadcast`);
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /id="form-error"[\s\S]*Bitcoin Core refused the transaction: [^<]*\(insufficient fee[\s\S]*SPECTER_ERR_PSBT_REJECTED/);
    assert.match(refused.body, /id="psbt-review"/, 'on the PSBT page');
    const deleted = await client.post(`${base()}/psbt/${txid}/delete`, { confirm: 'yes' });
    assert.equal(deleted.statusCode, 302);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, alias);
  });

  it('two recipients, one of them "send all": every coin goes in, no change, the other gets its exact amount', async () => {
    const coins = await t.specter.chain.utxos(admin, alias);
    const total = coins.reduce((s, c) => s + c.amount, 0);
    await client.get(`${base()}/send/new`);
    // Repeated fields, as the browser posts the rows (JSON carries them as lists).
    const res = await client.request('POST', `${base()}/send/new`, {
      json: {
        csrf_token: client.csrfToken,
        address: [nobody, other],
        amount: ['0.01', ''],
        label: ['', 'Savings'],
        send_all: '1',
        fee_rate: '2',
        rbf: 'yes',
      },
    });
    assert.equal(res.statusCode, 302, res.body);
    const txid = /\/psbt\/([0-9a-f]{64})\/$/.exec(String(res.headers.location))![1]!;
    const view = await t.specter.psbts.get(admin, alias, txid);
    assert.deepEqual(view.inputs.map((i) => `${i.txid}:${i.vout}`).sort(), coins.map((c) => `${c.txid}:${c.vout}`).sort(), 'every coin');
    assert.deepEqual(
      view.outputs.map((o) => [o.address, o.amount]).sort(),
      [
        [nobody, 1_000_000],
        [other, total - 1_000_000 - view.fee],
      ].sort(),
      'no change; the rest, less the fee, to the "send all" row',
    );
    assert.equal(view.outputs.find((o) => o.address === other)?.label, 'Savings');
  });

  it('2-of-3: each device shown signed or not, "Signed by … (1 of 2)", then complete', async () => {
    const ms = multisigKeysFor('send-pages-multi', 2, 3);
    const wallet = await t.specter.walletsOf(admin).importDescriptor(ms.watch, { name: 'Send Multi', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.send(await wallet.getAddress(0), 10_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const at = `/spc/wallets/${wallet.alias}`;
    const created = await client.post(`${at}/send/new`, { address: nobody, amount: '2000000', amount_unit: 'sat', fee_rate: '2', rbf: 'yes' });
    assert.equal(created.statusCode, 302, created.body);
    const txid = /\/psbt\/([0-9a-f]{64})\/$/.exec(String(created.headers.location))![1]!;
    const page = await client.follow(created);
    assert.match(page.body, /0 of 2 signatures \(from 3 keys\)/);
    assert.equal((page.body.match(/data-signed="no"/g) ?? []).length, 3, 'three devices, none signed');

    const { psbt } = await t.specter.psbts.get(admin, wallet.alias, txid);
    await multisigSigner(core, 'send-pages-multi-b', ms, 1);
    await multisigSigner(core, 'send-pages-multi-c', ms, 2);
    const sign = async (signer: string) =>
      (await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt, sign: true, bip32derivs: true, finalize: false }, signer)).psbt;
    const first = await client.follow(await client.post(`${at}/psbt/${txid}/sign`, { signed: await sign('send-pages-multi-b') }));
    assert.match(first.body, new RegExp(`Signed by [^<]*${ms.keys[1]!.fingerprint} \\(1 of 2\\)\\.<`));
    assert.match(first.body, new RegExp(`data-fingerprint="${ms.keys[1]!.fingerprint}" data-signed="yes"`));
    assert.doesNotMatch(first.body, />Broadcast</, 'not yet');
    const second = await client.follow(await client.post(`${at}/psbt/${txid}/sign`, { signed: await sign('send-pages-multi-c') }));
    assert.match(second.body, new RegExp(`Signed by [^<]*${ms.keys[2]!.fingerprint} \\(2 of 2\\)\\. The transaction is complete`));
    assert.match(second.body, />Broadcast</);
    const sent = await client.post(`${at}/psbt/${txid}/broadcast`);
    assert.equal(sent.headers.location, `${at}/history/`);
    assert.ok((await client.follow(sent)).body.includes(`data-txid="${txid}"`));
  });
  it('an unconfirmed send: the transaction page bumps its fee or cancels it (a new PSBT to sign); a bad rate comes back as a message', async () => {
    const api = async (method: 'POST', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url: `/api/v1/wallets/${alias}${url}`, ...(payload ? { payload } : {}) });
      assert.ok(res.statusCode < 300, res.body);
      return res.json();
    };
    const wallet = await t.specter.walletsOf(admin).get(alias);
    await core.send(await wallet.getAddress(wallet.addressIndex), 5_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, alias);
    const created = await api('POST', '/psbts', { recipients: [{ address: other, amount: 1_000_000 }], fee_rate: 2 });
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: created.psbt, sign: true, finalize: false }, 'send-pages-keys');
    await api('POST', `/psbts/${created.txid}/signatures`, { psbt: signed.psbt });
    const { txid } = await api('POST', `/psbts/${created.txid}/broadcast`);

    const page = await client.get(`${base()}/tx/${txid}`);
    assert.match(page.body, /id="rbf"[\s\S]*Bump the fee[\s\S]*Cancel it/);
    const bad = await client.post(`${base()}/tx/${txid}/bump`, { fee_rate: '0' });
    assert.equal(bad.statusCode, 302);
    assert.equal(bad.headers.location, `${base()}/tx/${txid}`);
    assert.match((await client.get(bad.headers.location as string)).body, /class="flash flash-error"[^>]*>[^<]*fee rate/i);

    const bumped = await client.post(`${base()}/tx/${txid}/bump`, { fee_rate: '10' });
    assert.equal(bumped.statusCode, 302);
    const replacement = /\/psbt\/([0-9a-f]{64})\//.exec(String(bumped.headers.location))?.[1];
    assert.ok(replacement && replacement !== txid, String(bumped.headers.location));
    const view = (await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${alias}/psbts/${replacement}` })).json().psbt;
    assert.equal(view.replaces, txid);
    assert.ok(view.fee_rate >= 9.5, `replacement at ${view.fee_rate} sat/vB`);
    assert.match((await client.get(String(bumped.headers.location))).body, /replacement PSBT at [\d.]+ sat\/vB was created/);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/wallets/${alias}/psbts/${replacement}` });

    const cancelled = await client.post(`${base()}/tx/${txid}/cancel`, { fee_rate: '12' });
    assert.equal(cancelled.statusCode, 302);
    const cancelId = /\/psbt\/([0-9a-f]{64})\//.exec(String(cancelled.headers.location))?.[1];
    const cancelView = (await t.app.inject({ method: 'GET', url: `/api/v1/wallets/${alias}/psbts/${cancelId}` })).json().psbt;
    assert.deepEqual(
      cancelView.outputs.map((o: { ownership: string }) => o.ownership),
      ['change'],
      'everything back to the wallet',
    );
    await t.app.inject({ method: 'DELETE', url: `/api/v1/wallets/${alias}/psbts/${cancelId}` });
    await core.mine(1);
  });

  it("each device type's ways: a SeedSigner wallet gets the QR only, a Coldcard one the files and text only", async () => {
    const pageFor = async (type: string, name: string) => {
      const keys = keysFor(`send-pages-${type}`);
      // The device holds the wallet's key (its [fingerprint/path]tpub from the watch descriptor).
      const keyText = /^wpkh\((.*)\/<0;1>\/\*\)$/.exec(keys.watch)![1]!;
      const device = await t.specter.devicesOf(admin).create(name, type, keyText);
      const wallet = await t.specter.walletsOf(admin).createSingleSig({ name: `${name} wallet`, device: device.alias, network: 'test' });
      await t.specter.chain.link(admin, wallet.alias);
      await core.send(await wallet.getAddress(0), 2_000_000);
      await core.mine(1);
      await core.rpc('syncwithvalidationinterfacequeue');
      await t.specter.chain.sync(admin, wallet.alias);
      const created = await t.app.inject({
        method: 'POST',
        url: `/api/v1/wallets/${wallet.alias}/psbts`,
        payload: { recipients: [{ address: other, amount: 500_000 }], fee_rate: 2 },
      });
      assert.equal(created.statusCode, 201, created.body);
      return (await client.get(`/spc/wallets/${wallet.alias}/psbt/${created.json().txid}/`)).body;
    };
    const seedsigner = await pageFor('seedsigner', 'Seedy');
    assert.match(seedsigner, /data-ur-frames/);
    assert.doesNotMatch(seedsigner, /id="download-binary"|data-copy="psbt-base64"/);
    assert.match(seedsigner, /<strong>Seedy<\/strong> takes a QR code/);
    const coldcard = await pageFor('coldcard', 'Cold');
    assert.doesNotMatch(coldcard, /data-ur-frames|id="psbt-static-qr"/);
    assert.match(coldcard, /id="download-binary"[\s\S]*data-copy="psbt-base64"/);
    assert.match(coldcard, /<strong>Cold<\/strong> takes a .psbt file, pasted text/);
  });
});

describe('Send tab without a node', () => {
  it('says what is missing and links the node page', async () => {
    const t = await createTestSpecter();
    try {
      const admin = t.specter.userManager.require('admin');
      const wallet = await t.specter.walletsOf(admin).importDescriptor(keysFor('send-pages-nonode').watch, { name: 'No Node', network: 'test' });
      const page = await t.client().get(`/spc/wallets/${wallet.alias}/send/new`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /id="chain-problem"[\s\S]*Sending needs the wallet's Bitcoin Core node[\s\S]*href="\/spc\/nodes\/"/);
      assert.match(page.body, /No pending PSBTs/);
    } finally {
      await t.close();
    }
  });
});
