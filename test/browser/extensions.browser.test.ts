import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createTestSpecter, type TestSpecter } from '../../src/testing/index.js';
import { chromiumAvailable, openBrowser, maybeScreenshot, type BrowserSession } from '../helpers/browser.js';
import { fixturePackage } from '../helpers/ext-packages.js';

const skip = chromiumAvailable() ? false : 'Debian chromium is not installed (.ci/run installs it)';
let t: TestSpecter;
let browser: BrowserSession;
let base: string;

before(async () => {
  if (skip) return;
  t = await createTestSpecter({ extensions: [await fixturePackage('gatekeeper')] });
  await t.setAuth('passwordonly', 'cookie test pw');
  await t.activate('admin', 'gatekeeper');
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await openBrowser();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await t.close();
});

/** The Cookie header the browser really sent for a navigation. */
async function cookieSentTo(url: string): Promise<string | undefined> {
  const { page } = browser;
  const [request] = await Promise.all([page.waitForRequest((r) => r.url() === url), page.goto(url)]);
  return (await request.allHeaders()).cookie;
}

test('logged in, the browser sends the session cookie to /spc/ext/<id>/ but never to /ext/<id>/', { skip }, async () => {
  const { page } = browser;
  await page.goto(`${base}/spc/auth/login`);
  await page.getByLabel('Password').fill('cookie test pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  const spcCookie = await cookieSentTo(`${base}/spc/ext/gatekeeper/`);
  assert.match(spcCookie ?? '', /specter_session=/);
  await page.getByRole('heading', { name: 'Gatekeeper for admin' }).waitFor();
  await maybeScreenshot(page, 'extension-page');

  const isolatedCookie = await cookieSentTo(`${base}/ext/donate/`);
  assert.doesNotMatch(isolatedCookie ?? '', /specter_session=/);
  await page.getByText('This page runs without your Specter session.').waitFor();
  await maybeScreenshot(page, 'isolated-page');
  // Visiting the isolated page must not have disturbed the session.
  await page.goto(`${base}/spc/welcome/`);
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();
});

test('Choose plugins shows cards and activates a plugin with a click', { skip }, async () => {
  const { page } = browser;
  await page.goto(`${base}/spc/plugins/choose`);
  await page.getByRole('heading', { name: 'Choose plugins' }).waitFor();
  await page.getByRole('button', { name: 'Activate Notes' }).click();
  await page.getByText('"Notes" is now active.').waitFor();
  await maybeScreenshot(page, 'choose-plugins');
  await page.getByRole('link', { name: 'Notes' }).first().click();
  await page.getByRole('heading', { name: 'Notes', exact: true }).waitFor();
  assert.match(page.url(), /\/spc\/ext\/notes\/$/);
});
