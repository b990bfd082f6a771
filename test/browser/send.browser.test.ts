/**
 * Sending as a user does it, against a real regtest bitcoind: fill the Send form, download the
 * .psbt file, sign it with Debian's Electrum (standing in for a hardware wallet), choose its signed
 * file (a binary PSBT, or the raw transaction Electrum makes when it finalizes) on the PSBT page, broadcast, and find the History row. The animated QR is read back the way
 * a device's camera would: screenshots of the page's QR as it cycles, decoded with jsQR, joined by
 * the UR reader into the same PSBT.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAddressDeriver, parseDescriptor } from '../../src/bitcoin/index.js';
import { UrPsbtReader } from '../../src/bitcoin/ur-psbt.js';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../helpers/bitcoind.js';
import { electrumSign, electrumSkip } from '../helpers/electrum-sign.js';
import { decodeQrPng } from '../helpers/qr-decode.js';
import { keysFor } from '../helpers/signing-keys.js';

const skip = skipWithoutChromium() || bitcoindSkip() || electrumSkip();
const PASSWORD = 'send test pw';
const keys = keysFor('send-browser');
const nobody = createAddressDeriver(parseDescriptor(keysFor('send-browser-nobody').watch, { network: 'regtest' })).deriveSync(0, 0, 1)[0]!;
let app: BrowserApp;
let core: Bitcoind;
let tmp: string;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'send-browser-'));
  core = await startBitcoind(undefined);
  app = await startBrowserApp({}, async (t) => {
    await t.setAuth('passwordonly', PASSWORD);
    await addRegtestNode(t.specter, core);
    const admin = t.specter.userManager.require('admin');
    const wallet = await t.specter.walletsOf(admin).importDescriptor(keys.watch, { name: 'Browser Send', network: 'test' });
    await t.specter.chain.link(admin, wallet.alias);
    await core.send(await wallet.getAddress(0), 40_000_000);
    await core.mine(1);
    await core.rpc('syncwithvalidationinterfacequeue');
    await t.specter.chain.sync(admin, wallet.alias);
  });
});
after(async () => {
  if (skip) return;
  await app?.close();
  await core?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('send: form → PSBT page → QR frames read back → .psbt download → Electrum signs → upload → broadcast → History', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  await page.goto(`${app.base}/spc/wallets/browser-send/history/`);
  await page.getByRole('link', { name: 'Send', exact: true }).click();
  await page.getByLabel('Recipient 1: address').fill(nobody);
  await page.getByLabel('Amount', { exact: true }).fill('0.1');
  await page.getByLabel('Label (optional)').fill('Groceries');
  // The node's suggestions arrive after the page (regtest has no estimate: 1 sat/vB and why).
  const suggestions = page.locator('#fee-suggestions');
  await suggestions.waitFor({ state: 'visible' });
  assert.match((await suggestions.textContent()) ?? '', /Fast 1 sat\/vB[\s\S]*Medium 1 sat\/vB[\s\S]*Slow 1 sat\/vB[\s\S]*regtest|estimate/i);
  assert.equal(await page.getByLabel('Fee rate (sat/vB)').inputValue(), '1', 'an empty field takes the medium rate');
  await page.getByLabel('Fee rate (sat/vB)').fill('2');
  await maybeScreenshot(page, 'send-form');
  await page.getByRole('button', { name: 'Create PSBT' }).click();
  await page.getByText(/PSBT created: 1 payment/).waitFor();
  const txid = ((await page.locator('#psbt-txid').textContent()) ?? '').trim();
  assert.match(txid, /^[0-9a-f]{64}$/);
  assert.match((await page.locator('#psbt-signatures').textContent()) ?? '', /0 of 1 signature/);
  const external = page.locator('#psbt-outputs tr[data-ownership="external"]');
  assert.match((await external.textContent()) ?? '', new RegExp(`${nobody}[\\s\\S]*Groceries[\\s\\S]*0\\.10000000 BTC`));
  assert.equal(await page.locator('#psbt-outputs tr[data-ownership="change"]').count(), 1);
  await maybeScreenshot(page, 'send-psbt');

  // The binary file as the browser saves it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-binary').click()]);
  assert.equal(download.suggestedFilename(), `binary_${txid}.psbt`);
  const unsigned = fs.readFileSync((await download.path())!);
  assert.deepEqual([...unsigned.subarray(0, 5)], [0x70, 0x73, 0x62, 0x74, 0xff], 'a binary PSBT');

  // The animated QR, read frame by frame from screenshots while it cycles.
  const qr = page.locator('#psbt-ur');
  await page.mouse.move(0, 0); // the animation pauses under the pointer
  const reader = new UrPsbtReader();
  const shown = new Set<string>();
  let rebuilt: Uint8Array | undefined;
  for (let shot = 0; shot < 200 && !rebuilt; shot++) {
    const text = decodeQrPng(await qr.screenshot());
    if (!text) continue;
    shown.add(text);
    const progress = reader.receive(text);
    if (progress.done) rebuilt = progress.psbt;
  }
  assert.ok(rebuilt, 'the frames on screen rebuild a PSBT');
  const frames = await qr.locator('svg').count();
  assert.ok(frames > 1, `an animation: ${frames} frames`);
  assert.ok(shown.size > 1, 'the QR on screen moves from frame to frame');
  assert.equal(Buffer.from(rebuilt).toString('base64'), unsigned.toString('base64'), 'the same PSBT as the file');

  // Electrum signs the downloaded file; its signed copy goes back as a binary file.
  const m = /^wpkh\(\[([0-9a-f]{8})\/84h\/1h\/0h\](tprv[1-9A-HJ-NP-Za-km-z]+)\/0\/\*\)/.exec(keys.signing.receive)!;
  const signed = await electrumSign(unsigned.toString('base64'), {
    script: 'wpkh',
    keys: [{ xkey: m[2]!, fingerprint: m[1]!, path: 'm/84h/1h/0h' }],
  });
  const signedFile = path.join(tmp, `signed_${txid}.psbt`);
  const signedBytes = Buffer.from(signed.psbt, 'base64');
  fs.writeFileSync(signedFile, signedBytes);
  // Electrum finalizes a single-key spend: its "PSBT" is then the signed raw transaction, read as hex.
  const isPsbt = signedBytes.subarray(0, 5).equals(Buffer.from('70736274ff', 'hex'));
  await page.locator('#signed-file').setInputFiles(signedFile);
  const textarea = page.locator('#signed-psbt');
  for (let i = 0; i < 100 && !(await textarea.inputValue()); i++) await page.waitForTimeout(100);
  assert.equal(await textarea.inputValue(), isPsbt ? signed.psbt : signedBytes.toString('hex'), 'the binary file is read into the textarea as text');
  await page.getByRole('button', { name: 'Add signatures' }).click();
  await page.getByText(/Signed by .*\(1 of 1\)\. The transaction is complete/).waitFor();
  assert.equal(await page.locator('#psbt-signers li[data-signed="yes"]').count(), 1);

  await page.getByRole('button', { name: 'Broadcast' }).click();
  await page.getByText(`Transaction ${txid} broadcast.`).waitFor();
  const row = page.locator(`tr[data-txid="${txid}"]`);
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /send/);
  await maybeScreenshot(page, 'send-history');
  assert.ok(await core.rpc('getmempoolentry', [txid]), 'in the mempool');
});
