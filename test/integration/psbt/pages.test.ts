/**
 * The Send tab in the browser's terms (forms with CSRF tokens, redirects), against regtest: create
 * a PSBT from the form, a refused form shown again with the error and what was typed, the pending
 * PSBT's page (review, signers, base64, downloads), a signed copy pasted back, broadcast to the
 * transaction page; delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressDeriver, parseDescriptor } from '../../../src/bitcoin/index.js';
import { Psbt } from '../../../src/bitcoin/psbt.js';
import type { User } from '../../../src/managers/users/index.js';
import { parseRecipients } from '../../../src/server/routes/wallets/wallet-send.js';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../../helpers/bitcoind.js';
import { keysFor, signingWallet } from '../../helpers/signing-keys.js';
import { isSpecterError } from '../../../src/errors/index.js';

const nobody = createAddressDeriver(parseDescriptor(keysFor('psbt-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;

describe('recipient lines', () => {
  it('"address, amount" per line in whole sats; a decimal amount (BTC?) and anything else names the line', () => {
    assert.deepEqual(parseRecipients(`${nobody}, 150000\n\n  ${nobody} 1_000 sats \n${nobody};2500`), [
      { address: nobody, amount: 150_000 },
      { address: nobody, amount: 1_000 },
      { address: nobody, amount: 2_500 },
    ]);
    for (const [text, line] of [
      ['', undefined],
      [`${nobody}`, 1],
      [`${nobody}, 1\n${nobody}, 0.5 BTC`, 2],
      [`${nobody}, 1.5`, 1],
      [`${nobody}, 2,500`, 1],
    ] as const) {
      assert.throws(
        () => parseRecipients(text),
        (e: unknown) => isSpecterError(e, 'VALIDATION') && e.details.line === line,
        text,
      );
    }
  });
});

describe('the Send tab against regtest', { skip: bitcoindSkip() }, () => {
  let core: Bitcoind;
  let t: TestSpecter;
  let admin: User;

  before(async () => {
    core = await startBitcoind(undefined);
    t = await createTestSpecter();
    await t.specter.chain.stop();
    await addRegtestNode(t.specter, core);
    admin = t.specter.userManager.require('admin');
  });
  after(async () => {
    await t?.close();
    await core?.destroy();
  });

  it('create from the form → review page → downloads → paste the signed copy → broadcast → the transaction page; delete', async () => {
    const keys = keysFor('psbt-pages');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'pages', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    for (const i of [0, 1]) await core.send(await wallet.getAddress(i), 10_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
    const client = t.client();
    const base = `/spc/wallets/${wallet.alias}/send/`;

    const empty = await client.get(base);
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /No transaction is waiting for signatures/);
    assert.match(empty.body, /aria-current="page"[^>]*>Send</);

    // Refused: the form comes back with the error and what was typed.
    const refused = await client.post(base, { recipients: `${nobody}, 1234567`, fee_rate: '0', rbf: 'on' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /SPECTER_ERR_PSBT_FEE_RATE/);
    assert.ok(refused.body.includes(`${nobody}, 1234567</textarea>`));
    const badLine = await client.post(base, { recipients: 'hello', fee_rate: '1' });
    assert.equal(badLine.statusCode, 400);
    assert.match(badLine.body, /Line 1 is not/);

    const created = await client.post(base, { recipients: `${nobody}, 1234567`, fee_rate: '2', rbf: 'on' });
    assert.equal(created.statusCode, 302, created.body);
    const txid = /\/send\/pending\/([0-9a-f]{64})$/.exec(String(created.headers.location))![1]!;
    const view = await t.specter.psbts.get(admin, wallet.alias, txid);
    const page = await client.follow(created);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Waiting for signatures/);
    assert.ok(page.body.includes(`<pre class="descriptor" id="psbt-base64" aria-labelledby="export-title">${view.psbt}</pre>`));
    assert.match(page.body, /id="psbt-signatures">0 of 1</);
    assert.match(page.body, new RegExp(`id="psbt-fee" data-sats="${view.fee}"`));
    assert.match(page.body, /data-ownership="change"/);
    assert.match(page.body, /data-ownership="external"/);
    assert.doesNotMatch(page.body, /id="broadcast-form"/);

    const binary = await client.get(`${base}pending/${txid}/download?format=binary`);
    assert.equal(binary.headers['content-type'], 'application/octet-stream');
    assert.match(String(binary.headers['content-disposition']), new RegExp(`binary_${txid}\\.psbt`));
    assert.deepEqual(binary.rawPayload, Buffer.from(view.psbt, 'base64'));
    assert.equal(Psbt.fromBuffer(binary.rawPayload).toBase64(), view.psbt);
    const text = await client.get(`${base}pending/${txid}/download?format=base64`);
    assert.equal(text.body, view.psbt);

    const corrupt = await client.post(`${base}pending/${txid}/signatures`, { psbt: 'not a psbt' });
    assert.equal(corrupt.statusCode, 400);
    assert.match(corrupt.body, /SPECTER_ERR_PSBT_CORRUPT/);
    await signingWallet(core, 'pages-keys', keys);
    const signed = await core.rpc<{ psbt: string }>('walletprocesspsbt', { psbt: view.psbt, finalize: false }, 'pages-keys');
    const merged = await client.post(`${base}pending/${txid}/signatures`, { psbt: signed.psbt });
    assert.equal(merged.statusCode, 302);
    const ready = await client.follow(merged);
    assert.match(ready.body, /Ready to broadcast/);
    assert.match(ready.body, /Fully signed: ready to broadcast/);
    assert.match(ready.body, /id="broadcast-form"/);

    const sent = await client.post(`${base}pending/${txid}/broadcast`);
    assert.equal(sent.statusCode, 302);
    assert.equal(sent.headers.location, `/spc/wallets/${wallet.alias}/tx/${txid}`);
    const txPage = await client.follow(sent);
    assert.equal(txPage.statusCode, 200);
    assert.match(txPage.body, /Broadcast: transaction/);
    assert.equal((await client.get(`${base}pending/${txid}`)).statusCode, 404, 'no longer pending');

    // Another one, deleted: its coins are free again.
    const second = await client.post(base, { recipients: `${nobody}, 1000000`, fee_rate: '1' });
    const secondId = /([0-9a-f]{64})$/.exec(String(second.headers.location))![1]!;
    const listed = await client.get(base);
    assert.match(listed.body, new RegExp(`data-txid="${secondId}"`));
    const deleted = await client.post(`${base}pending/${secondId}/delete`);
    assert.equal(deleted.statusCode, 302);
    assert.match((await client.follow(deleted)).body, /PSBT deleted/);
    assert.deepEqual(await t.specter.psbts.list(admin, wallet.alias), []);
    const { coreWallet } = await t.specter.chain.link(admin, wallet.alias);
    assert.deepEqual(await core.rpc('listlockunspent', [], coreWallet), []);
  });
});
