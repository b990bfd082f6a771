/**
 * Fiat prices as an admin meets them, against a real regtest bitcoind and a local price server
 * played by the fixture provider plugin: turn prices on in Settings → Price, then see the price of
 * 1 BTC in the top bar and the fiat value of a funded wallet.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { addRegtestNode, bitcoindSkip, startBitcoind, type Bitcoind } from '../helpers/bitcoind.js';
import { fixturePackage } from '../helpers/ext-packages.js';
import { keysFor } from '../helpers/signing-keys.js';

const skip = skipWithoutChromium() || bitcoindSkip();
let app: BrowserApp;
let core: Bitcoind;
let priceServer: http.Server;

before(async () => {
  if (skip) return;
  priceServer = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ price: 50_000 }));
  });
  await new Promise<void>((resolve) => priceServer.listen(0, '127.0.0.1', resolve));
  core = await startBitcoind(undefined);
  app = await startBrowserApp(
    {
      extensions: [await fixturePackage('pricefeed')],
      config: { PRICEFEED_URL: `http://127.0.0.1:${(priceServer.address() as AddressInfo).port}`, PRICE_CHECK_INTERVAL: 0.2 },
    },
    async (t) => {
      await addRegtestNode(t.specter, core);
      const admin = t.specter.userManager.require('admin');
      const wallet = await t.specter.walletsOf(admin).importDescriptor(keysFor('price-browser').watch, { name: 'Fiat Coins', network: 'test' });
      await t.specter.chain.link(admin, wallet.alias);
      await core.send(await wallet.getAddress(0), 40_000_000);
      await core.mine(1);
      await core.rpc('syncwithvalidationinterfacequeue');
      await t.specter.chain.sync(admin, wallet.alias);
    },
  );
});
after(async () => {
  if (skip) return;
  await app?.close();
  await core?.destroy();
  priceServer?.closeAllConnections();
  await new Promise((resolve) => priceServer?.close(resolve));
});

test('turn prices on in Settings → Price: the top bar shows 1 BTC and the wallets show their fiat value', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/wallets/`);
  await page.locator('[data-balance="fiat-coins"]').getByText('0.40000000 BTC').waitFor();
  assert.equal(await page.locator('#topbar-price').count(), 0, 'no price while prices are off');

  await page.goto(`${app.base}/spc/settings/price`);
  await page.getByLabel(/Show fiat values/).check();
  await page.getByLabel('Provider').selectOption('localfeed');
  await page.getByLabel(/^Currency/).fill('USD');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Price settings saved.').waitFor();

  // The schedule fetches it; the page never waits for it, so look again until it is there.
  for (;;) {
    await page.goto(`${app.base}/spc/wallets/`);
    if (await page.locator('#topbar-price').count()) break;
    await page.waitForTimeout(100);
  }
  assert.equal(((await page.locator('#topbar-price').textContent()) ?? '').trim(), '1 BTC = $50,000');
  assert.equal(await page.locator('#topbar-price').isVisible(), true, 'the top bar shows on a wide screen too');
  await page.locator('#wallets-total-fiat').getByText('≈ $20,000.00').waitFor();
  await page.locator('[data-balance="fiat-coins"]').getByText('≈ $20,000.00').waitFor();
  await maybeScreenshot(page, 'price-wallets');

  await page.goto(`${app.base}/spc/settings/price`);
  assert.match((await page.locator('tr[data-provider="localfeed"] .provider-last-ok').textContent()) ?? '', /\d{4}/, 'the last success is shown');
});
