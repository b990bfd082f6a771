/**
 * Connect a Bitcoin Core node from /spc/nodes with autodetect (the first choice of the form) and
 * see its state in the sidebar, against a real regtest bitcoind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { bitcoindSkip, startBitcoind, type Bitcoind } from '../helpers/bitcoind.js';

const skip = skipWithoutChromium() || bitcoindSkip();
let app: BrowserApp;
let core: Bitcoind;

before(async () => {
  if (skip) return;
  core = await startBitcoind(undefined);
  app = await startBrowserApp({}, (t) => t.setAuth('passwordonly', 'nodes test pw'));
});
after(async () => {
  if (skip) return;
  await app?.close();
  await core?.destroy();
});

test('connect a node from /spc/nodes with autodetect; the sidebar shows chain, height and connected', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('nodes test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  const sidebarNode = page.locator('#sidebar-node');
  await sidebarNode.getByText('No node connected').waitFor();
  await sidebarNode.getByRole('link').click();
  await page.getByRole('heading', { name: 'Bitcoin Core nodes' }).waitFor();
  await page.getByRole('link', { name: 'Connect your node' }).click();
  await page.getByRole('heading', { name: 'Connect a Bitcoin Core node' }).waitFor();
  assert.ok(await page.getByLabel(/Autodetect/).isChecked(), 'autodetect is the default');
  await page.getByLabel('Name').fill('Regtest node');
  await page.getByLabel('Bitcoin Core data folder').fill(core.datadir);
  await maybeScreenshot(page, 'nodes-add');
  await page.getByRole('button', { name: 'Test and save' }).click();

  await page.getByText('Node "Regtest node" added: all four connection checks passed.').waitFor();
  await page.locator('#nodes-table tr[data-node="regtest_node"]').getByText('connected').waitFor();
  const state = ((await sidebarNode.textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(state, /Regtest node/);
  assert.match(state, /Regtest · block 101 · connected/);
  await maybeScreenshot(page, 'nodes-list');

  // The state stays in the sidebar on other pages.
  await page.goto(`${app.base}/spc/devices/`);
  assert.match(((await sidebarNode.textContent()) ?? '').replace(/\s+/g, ' '), /Regtest · block 101 · connected/);
});
