/**
 * Settings → Tor in a real browser against Debian's real tor (offline, TestConfig's TOR_OFFLINE):
 * switch the type to built-in, see it running, publish the onion service and see its address and QR.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { TOR_BIN, torSkip, waitForExit } from '../helpers/tor.js';

const skip = skipWithoutChromium() || torSkip();
let app: BrowserApp;

before(async () => {
  if (skip) return;
  app = await startBrowserApp({ config: { LOAD_BUILTIN_EXTENSIONS: false } }, async (t) => {
    await t.setAuth('passwordonly', 'tor test pw');
    await t.specter.configManager.update({ tor_path: TOR_BIN });
  });
});
after(async () => {
  if (skip) return;
  await app?.close();
});

test('switch Tor to built-in, see it running, publish the onion service and see its address', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('tor test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  await page.goto(`${app.base}/spc/settings/general`);
  await page.getByRole('link', { name: 'Tor', exact: true }).click();
  await page.getByRole('heading', { name: 'Tor status' }).waitFor();
  assert.equal(await page.locator('#tor-state').textContent(), 'off');

  await page.getByLabel('Tor type').selectOption('builtin');
  await page.locator('#tor-form').getByRole('button', { name: 'Save' }).click();
  await page.getByText('Tor settings saved.').waitFor();
  assert.equal(await page.locator('#tor-state').textContent(), 'running');
  await maybeScreenshot(page, 'tor-running');

  await page.getByRole('button', { name: 'Publish as onion service' }).click();
  const link = page.locator('#onion-address');
  await link.waitFor();
  const onion = (await link.textContent()) ?? '';
  assert.match(onion, /^[a-z2-7]{56}\.onion$/);
  assert.equal(await page.getByRole('img', { name: 'QR code of the onion address' }).locator('svg').count(), 1);
  await maybeScreenshot(page, 'tor-onion');

  const status = await app.t.specter.tor.status();
  assert.equal(status.onion_address, onion);
  assert.equal(status.running, true);

  await page.getByRole('button', { name: 'Stop Tor' }).click();
  await page.getByRole('button', { name: 'Start Tor' }).waitFor();
  assert.equal(await page.locator('#tor-state').textContent(), 'not running');
  assert.equal(await waitForExit(status.pid!), true);
});
