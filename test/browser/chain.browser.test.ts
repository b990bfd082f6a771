/**
 * The chain as a user meets it, against a real regtest bitcoind: connect the node from /spc/nodes,
 * import a wallet, pay it from the faucet, then see the balance, the history row and the
 * transaction page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../helpers/bitcoind.js';
import { TPUB_84 } from '../unit/bitcoin/fixtures.js';

const skip = skipWithoutChromium() || bitcoindSkip();
let app: BrowserApp;
let core: Bitcoind;

before(async () => {
  if (skip) return;
  core = await startBitcoind(undefined);
  app = await startBrowserApp({}, (t) => t.setAuth('passwordonly', 'chain test pw'));
});
after(async () => {
  if (skip) return;
  await app?.close();
  await core?.destroy();
});

test('connect a node, create a wallet, pay it from the faucet: balance, history row and transaction page', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('chain test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  await page.goto(`${app.base}/spc/nodes/new`);
  await page.getByLabel('Name').fill('Regtest node');
  await page.getByLabel('Bitcoin Core data folder').fill(core.datadir);
  await page.getByRole('button', { name: 'Test and save' }).click();
  await page.getByText('Node "Regtest node" added: all four connection checks passed.').waitFor();

  await page.goto(`${app.base}/spc/wallets/new/import`);
  await page.getByLabel('Name').fill('Browser Coins');
  await page.locator('textarea[name="data"]').fill(`wpkh([73c5da0a/84h/1h/0h]${TPUB_84}/<0;1>/*)`);
  await page.getByRole('button', { name: /Import/ }).click();
  await page.getByText('Wallet "Browser Coins" imported.').waitFor();

  // The first sync binds the wallet to regtest; then the Receive tab shows a bcrt1 address.
  await page.goto(`${app.base}/spc/wallets/browser-coins/history/`);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.goto(`${app.base}/spc/wallets/browser-coins/receive/`);
  const address = ((await page.locator('#receive-address').textContent()) ?? '').trim();
  assert.match(address, /^bcrt1/, `a regtest address: ${address}`);
  const txid = await core.send(address, 25_000_000);
  await core.mine(1);
  await core.rpc('syncwithvalidationinterfacequeue');

  await page.goto(`${app.base}/spc/wallets/browser-coins/history/`);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.locator('#balances').getByText('0.25000000 BTC').first().waitFor();
  const row = page.locator(`tr[data-txid="${txid}"]`);
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /receive[\s\S]*0\.25000000 BTC/);
  await maybeScreenshot(page, 'chain-history');
  await row.getByRole('link').click();
  await page.locator('#txid').getByText(txid).waitFor();
  assert.match((await page.locator('.facts').textContent()) ?? '', /0\.25000000 BTC/);
  // Outputs marked whose they are: the wallet's 0.25 BTC as "mine", the faucet's change as external.
  const mine = page.locator('tr[data-ownership="receive"][data-vout]');
  assert.equal(await mine.count(), 1);
  assert.match((await mine.textContent()) ?? '', new RegExp(`${address}[\\s\\S]*0\\.25000000 BTC`));
  assert.equal(await page.locator('tr[data-ownership="external"][data-vout]').count(), 1);
  const hex = ((await page.locator('#tx-hex').textContent()) ?? '').trim();
  assert.equal(hex, (await core.rpc<{ hex: string }>('gettransaction', [txid], 'faucet')).hex, "the raw transaction is Core's");
  assert.equal(await page.locator('button[data-copy="tx-hex"]').isVisible(), true, 'the copy button shows where the clipboard works');
  await maybeScreenshot(page, 'chain-transaction');

  await page.goto(`${app.base}/spc/wallets/`);
  await page.locator('[data-balance="browser-coins"]').getByText('0.25000000 BTC').waitFor();
});
