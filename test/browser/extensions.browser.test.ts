import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { fixturePackage } from '../helpers/ext-packages.js';

const skip = skipWithoutChromium();
let app: BrowserApp;

before(async () => {
  if (skip) return;
  app = await startBrowserApp({ extensions: [await fixturePackage('gatekeeper')] }, async (t) => {
    await t.setAuth('passwordonly', 'cookie test pw');
    await t.activate('admin', 'gatekeeper');
  });
});
after(async () => {
  if (skip) return;
  await app.close();
});

/** The Cookie header the browser really sent for a navigation. */
async function cookieSentTo(url: string): Promise<string | undefined> {
  const { page } = app.browser;
  const [request] = await Promise.all([page.waitForRequest((r) => r.url() === url), page.goto(url)]);
  return (await request.allHeaders()).cookie;
}

test('logged in, the browser sends the session cookie to /spc/ext/<id>/ but never to /ext/<id>/', { skip }, async () => {
  const { page } = app.browser;
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('cookie test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  const spcCookie = await cookieSentTo(`${app.base}/spc/ext/gatekeeper/`);
  assert.match(spcCookie ?? '', /specter_session=/);
  await page.getByRole('heading', { name: 'Gatekeeper for admin' }).waitFor();
  await maybeScreenshot(page, 'extension-page');

  const isolatedCookie = await cookieSentTo(`${app.base}/ext/donate/`);
  assert.doesNotMatch(isolatedCookie ?? '', /specter_session=/);
  await page.getByText('This page runs without your Specter session.').waitFor();
  await maybeScreenshot(page, 'isolated-page');
  // Visiting the isolated page must not have disturbed the session.
  await page.goto(`${app.base}/spc/welcome/`);
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();
});

test('Choose plugins shows cards and activates a plugin with a click', { skip }, async () => {
  const { page } = app.browser;
  await page.goto(`${app.base}/spc/plugins/choose`);
  await page.getByRole('heading', { name: 'Choose plugins' }).waitFor();
  await page.getByRole('button', { name: 'Activate Notes' }).click();
  await page.getByText('"Notes" is now active.').waitFor();
  await maybeScreenshot(page, 'choose-plugins');
  await page.getByRole('link', { name: 'Notes' }).first().click();
  await page.getByRole('heading', { name: 'Notes', exact: true }).waitFor();
  assert.match(page.url(), /\/spc\/ext\/notes\/$/);
});
