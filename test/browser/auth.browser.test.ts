import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

const skip = skipWithoutChromium();
let app: BrowserApp;

before(async () => {
  if (skip) return;
  app = await startBrowserApp();
});
after(async () => {
  if (skip) return;
  await app.close();
});

test('fresh folder → passwordonly → log out → wrong password refused → log in → welcome', { skip }, async () => {
  const { page } = app.browser;
  await page.goto(`${app.base}/`);
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();
  await maybeScreenshot(page, 'welcome');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Authentication' }).click();
  await page.getByLabel('Authentication method').selectOption('passwordonly');
  await page.getByLabel('New password').fill('browser secret');
  await page.getByLabel('Repeat the password').fill('browser secret');
  await maybeScreenshot(page, 'settings-auth');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await page.getByText('Authentication is now "passwordonly".').waitFor();
  assert.equal(app.t.specter.authMethod, 'passwordonly');

  await page.getByRole('button', { name: /Log out/ }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.match(page.url(), /\/spc\/auth\/login/);

  await page.getByLabel('Password').fill('not it');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Wrong password.').waitFor();
  await maybeScreenshot(page, 'login-wrong');
  await page.goto(`${app.base}/spc/welcome/`);
  assert.match(page.url(), /\/spc\/auth\/login\?next=/, 'no session after a wrong password');

  await page.getByLabel('Password').fill('browser secret');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();
  assert.match(page.url(), /\/spc\/welcome\/$/);
  const cookies = await app.browser.context.cookies(`${app.base}/spc/`);
  const session = cookies.find((c) => c.name === 'specter_session');
  assert.ok(session, 'a session cookie exists');
  assert.equal(session.path, '/spc');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
});
