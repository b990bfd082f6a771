/**
 * The plugin life cycle from the admin's browser, without a restart: upload a packed plugin
 * (npm pack of a fixture), see its capabilities, activate it, use it (it reserves addresses),
 * deactivate it releasing the reserved addresses, uninstall it with its data.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_DESCRIPTORS } from '../../src/testing/index.js';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { fixturePackage } from '../helpers/ext-packages.js';

const skip = skipWithoutChromium();
let app: BrowserApp;
let tarball: string;
let work: string;

before(async () => {
  if (skip) return;
  // What a stranger has: a tarball from `npm pack`, in an empty folder.
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-upload-test-'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work, await fixturePackage('reserver')], { encoding: 'utf8' }).trim();
  tarball = path.join(work, name.split('\n').at(-1)!);
  app = await startBrowserApp({ config: { LOAD_BUILTIN_EXTENSIONS: false } }, async (t) => {
    await t.setAuth('passwordonly', 'plugins test pw');
    await t.createWallet('Shop', TEST_DESCRIPTORS.singleSig);
  });
});
after(async () => {
  if (skip) return;
  await app?.close();
  await fs.rm(work, { recursive: true, force: true });
});

test('install from an uploaded tarball, activate, use, deactivate releasing its addresses, uninstall with its data', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('plugins test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  // Install: Choose plugins → Install or remove plugins → upload.
  await page.goto(`${app.base}/spc/plugins/choose`);
  assert.equal(await page.locator('[data-ext="reserver"]').count(), 0, 'not there yet');
  await page.locator('#manage-plugins').click();
  await page.getByLabel(/A plugin tarball/).setInputFiles(tarball);
  await page.getByRole('button', { name: 'Install' }).click();
  const result = page.locator('#install-result');
  await result.getByRole('heading', { name: 'Installed: Reserver 1.0.0' }).waitFor();
  assert.match((await result.textContent()) ?? '', /unsigned[\s\S]*loaded/);
  assert.match((await result.textContent()) ?? '', /addresses:reserve[\s\S]*Reserves addresses of the user's wallets/);
  await maybeScreenshot(page, 'plugin-installed');

  // Activate from Choose plugins (no restart happened), then use it.
  await result.getByRole('link', { name: 'Activate it in Choose plugins' }).click();
  await page.getByRole('button', { name: 'Activate Reserver' }).click();
  await page.getByText('"Reserver" is now active.').waitFor();
  await page.goto(`${app.base}/spc/ext/reserver/`);
  await page.getByLabel('Order').fill('A-1001');
  await page.getByRole('button', { name: 'Reserve three addresses' }).click();
  await page.locator('#order-line').waitFor();
  assert.equal(await page.locator('#reserved li').count(), 3);
  const admin = app.t.specter.userManager.admin;
  const wallet = await app.t.specter.walletsOf(admin).get('shop');
  assert.equal(wallet.getAssociatedAddresses('reserver', true).length, 3);

  // Deactivate, releasing the reserved addresses (offered, ticked by default).
  await page.goto(`${app.base}/spc/plugins/choose`);
  const card = page.locator('#plugin-reserver');
  assert.match((await card.textContent()) ?? '', /Release its reserved addresses \(3 in Shop\)/);
  await card.getByRole('button', { name: 'Deactivate Reserver' }).click();
  await page.getByText(/its 3 reserved addresses were released/).waitFor();
  assert.equal(wallet.getAssociatedAddresses('reserver', true).length, 0);

  // Uninstall with its data: the page lists what goes.
  await page.goto(`${app.base}/spc/plugins/installed`);
  await page.getByRole('link', { name: 'Uninstall Reserver' }).click();
  const confirm = page.locator('#uninstall-confirm');
  assert.match((await confirm.textContent()) ?? '', /admin's data in[\s\S]*unencrypted_services\.json/);
  assert.match((await confirm.textContent()) ?? '', /wallet annotations[\s\S]*shop_reserver\.json/);
  await maybeScreenshot(page, 'plugin-uninstall');
  await confirm.getByLabel(/Also delete its data/).check();
  await confirm.getByRole('button', { name: 'Uninstall' }).click();
  await page.getByText(/was uninstalled, with its data/).waitFor();
  assert.equal(await page.locator('#installed-plugins [data-ext="reserver"]').count(), 0);

  // Gone without a restart: its pages, its card and its data.
  await page.goto(`${app.base}/spc/plugins/choose`);
  assert.equal(await page.locator('[data-ext="reserver"]').count(), 0);
  assert.equal((await page.goto(`${app.base}/spc/ext/reserver/`))?.status(), 404);
  const stored = JSON.parse(await fs.readFile(path.join(app.t.dataFolder, 'users', 'admin', 'unencrypted_services.json'), 'utf8').catch(() => '{}'));
  assert.equal(stored.reserver, undefined, 'its per-user data is gone');
  await assert.rejects(fs.stat(path.join(app.t.dataFolder, 'extensions', 'reserver')), 'its folder is gone');
});
