import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, skipWithoutChromium, startBrowserApp, type BrowserApp, type BrowserSession } from '../helpers/browser.js';
import { TEST_DESCRIPTORS } from '../../src/testing/index.js';

const skip = skipWithoutChromium();
let app: BrowserApp;
let second: BrowserSession;

before(async () => {
  if (skip) return;
  app = await startBrowserApp({}, async (t) => {
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('alice', 'alice password');
    await t.specter.userManager.addUser('bob', 'bob password');
  });
  second = await openBrowser();
});
after(async () => {
  if (skip) return;
  await second.close();
  await app.close();
});

async function login(session: BrowserSession, username: string, password: string): Promise<void> {
  const { page } = session;
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();
}

test("two users in two browsers: Bob never sees Alice's wallet, and her wallet's page is not found for him", { skip }, async () => {
  await login(app.browser, 'alice', 'alice password');
  await login(second, 'bob', 'bob password');
  const alice = app.browser.page;
  await alice.goto(`${app.base}/spc/wallets/new/import`);
  await alice.getByLabel('Name').fill('Alice Cold Storage');
  await alice.locator('textarea[name="data"]').fill(TEST_DESCRIPTORS.multisig2of3);
  await alice.getByRole('button', { name: /Import/ }).click();
  await alice.getByText('Wallet "Alice Cold Storage" imported.').waitFor();
  assert.ok(await alice.locator('.sidebar').getByText('Alice Cold Storage').isVisible());

  const bob = second.page;
  await bob.goto(`${app.base}/spc/wallets/`);
  assert.equal(await bob.locator('.sidebar').getByText('Alice Cold Storage').count(), 0, "not in Bob's sidebar");
  assert.equal(await bob.getByText('Alice Cold Storage').count(), 0, "not on Bob's overview");
  const res = await bob.goto(`${app.base}/spc/wallets/alice-cold-storage/receive/`);
  assert.equal(res?.status(), 404);
});
