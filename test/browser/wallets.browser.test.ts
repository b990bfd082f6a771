import { reservationsOf } from '../helpers/reservations.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { MULTISIG_KEY_TEXTS } from '../unit/bitcoin/fixtures.js';

const skip = skipWithoutChromium();
let app: BrowserApp;

before(async () => {
  if (skip) return;
  app = await startBrowserApp({}, (t) => t.setAuth('passwordonly', 'wallet test pw'));
});
after(async () => {
  if (skip) return;
  await app.close();
});

test('devices, a 2-of-3 wallet, receive, plugin association with annotations, release', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('wallet test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  // Add three devices by pasting a key each, through the sidebar button.
  const devices: Array<[string, string]> = [
    ['Abandon', 'Coldcard'],
    ['Legal', 'Trezor'],
    ['Letter', 'Ledger'],
  ];
  for (const [i, [name, type]] of devices.entries()) {
    await page.getByRole('link', { name: '+ Add new device' }).click();
    await page.getByRole('heading', { name: 'Setting up a new device' }).waitFor();
    await page.getByLabel('Name').fill(name);
    await page.getByText(type, { exact: true }).click();
    await page.getByLabel('Public keys').fill(MULTISIG_KEY_TEXTS[i]!);
    if (i === 0) await maybeScreenshot(page, 'wallets-add-device');
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await page.getByText(`Device "${name}" added with 1 key.`).waitFor();
  }
  await page.getByRole('cell', { name: 'm/48h/0h/0h/2h', exact: true }).waitFor();
  await maybeScreenshot(page, 'wallets-device');
  // The sidebar lists them with their key count.
  assert.equal(await page.locator('nav.sidebar').getByText('Letter').count(), 1);

  // A 2-of-3 wallet from the three devices.
  await page.getByRole('link', { name: '+ Add new wallet' }).click();
  await page.getByRole('link', { name: /Multisignature wallet/ }).click();
  await page.getByLabel('Name').fill('Cold storage');
  await page.getByLabel('Signatures required').fill('2');
  for (const [name] of devices) await page.locator('label.choice-card', { hasText: name }).click();
  await maybeScreenshot(page, 'wallets-new-multisig');
  await page.getByRole('button', { name: 'Create wallet' }).click();

  // Receive: the address and its QR code.
  await page.getByRole('heading', { name: 'Cold storage' }).waitFor();
  await page.getByText('Wallet "Cold storage" (2 of 3 multisig) created.').waitFor();
  const qr = page.getByRole('img', { name: /QR code of the address/ });
  await qr.waitFor();
  assert.ok(await qr.isVisible());
  const box = await qr.boundingBox();
  assert.ok(box && box.width > 150 && box.height > 150, 'the QR code is drawn at a scannable size');
  const first = (await page.locator('#receive-address').textContent())!.trim();
  assert.equal(first, 'bc1qm43n7nnev58aj3nrznz2xscgv98t7gxycq5pmp20a5vzfp5t0q2s7r6twa');
  await maybeScreenshot(page, 'wallets-receive');

  // Activate the Notes plugin, have it reserve an address with annotations (extension API).
  await page.getByRole('link', { name: '+ Choose plugins' }).click();
  await page.getByRole('button', { name: 'Activate Notes' }).click();
  await page.getByText('"Notes" is now active.').waitFor();
  const notes = reservationsOf(app.t, 'notes');
  const [reserved] = await notes.reserveAddresses('cold-storage', { numAddresses: 1, annotations: { order: 'A-1001', customer: 'Alice' } });

  // Addresses tab: the reserved address shows the plugin's icon and name.
  await page.goto(`${app.base}/spc/wallets/cold-storage/addresses/`);
  const row = page.locator('tr', { has: page.getByRole('link', { name: reserved! }) });
  await row.locator('[data-service="notes"] img').waitFor();
  assert.match((await row.textContent())!, /Notes\s*Reserved for Notes/);
  await maybeScreenshot(page, 'wallets-addresses');

  // Its detail: annotations (read-only), then release.
  await page.getByRole('link', { name: reserved! }).click();
  await page.getByRole('heading', { name: 'Associated plugin' }).waitFor();
  const annotations = page.getByRole('table', { name: 'Annotations from Notes' });
  await annotations.getByRole('cell', { name: 'A-1001' }).waitFor();
  await annotations.getByRole('cell', { name: 'Alice' }).waitFor();
  await maybeScreenshot(page, 'wallets-address-annotations');
  await page.getByRole('button', { name: 'Release from Notes' }).click();
  await page.getByText('Address released from Notes.').waitFor();
  await page.getByRole('heading', { name: 'Associate with a plugin' }).waitFor();

  // Associate another address by hand with the active plugin.
  await page.goto(`${app.base}/spc/wallets/cold-storage/addresses/`);
  const third = page.locator('tr[data-index="3"] a.addr');
  const thirdAddress = (await third.textContent())!.trim();
  await third.click();
  await page.getByLabel('Plugin', { exact: true }).selectOption('notes');
  await page.getByRole('button', { name: 'Associate' }).click();
  await page.getByText('Address associated with Notes.').waitFor();
  await maybeScreenshot(page, 'wallets-address-associated');
  const wallet = await app.t.specter.walletManager.get('cold-storage');
  assert.equal(wallet.getAddressInfo(thirdAddress).serviceId, 'notes');

  // Phone width: the same pages stay usable (menu drawer, stacked address rows).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.base}/spc/wallets/cold-storage/receive/`);
  await qr.waitFor();
  await maybeScreenshot(page, 'wallets-receive-phone');
  await page.goto(`${app.base}/spc/wallets/cold-storage/addresses/`);
  await page.locator('tr[data-index="3"] [data-service="notes"]').waitFor();
  await maybeScreenshot(page, 'wallets-addresses-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
});
