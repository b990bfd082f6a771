import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { MULTISIG_KEY_TEXTS } from '../unit/bitcoin/fixtures.js';

const skip = skipWithoutChromium();
const LONG_WALLET = 'Family savings for the house renovation and the long summer holiday by the sea';
const LONG_DEVICE = 'Coldcard Mk4 kept in the safe deposit box at the bank downtown';
let app: BrowserApp;

before(async () => {
  if (skip) return;
  app = await startBrowserApp({}, async (t) => {
    await t.specter.deviceManager.create(LONG_DEVICE, 'coldcard', MULTISIG_KEY_TEXTS[0]!);
    await t.specter.deviceManager.create('Legal', 'trezor', MULTISIG_KEY_TEXTS[1]!);
    const devices = (await t.specter.deviceManager.list()).map((d) => d.alias);
    await t.specter.walletManager.createMultisig({ name: LONG_WALLET, threshold: 1, devices });
  });
});
after(async () => {
  if (skip) return;
  await app.close();
});

// Page code is given as strings: the test project compiles without the DOM library.
/** id, class or tag of the focused element. */
const focused = (app: BrowserApp) =>
  app.browser.page.evaluate<string>(`(() => {
  const el = document.activeElement;
  return el ? (el.id || el.className || el.tagName) : '';
})()`);

type ComputedStyleFn = (el: unknown) => { textOverflow: string; whiteSpace: string };

test('"Skip to content" is the first tab stop and moves focus past the sidebar; the hidden menu checkbox takes no focus', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/wallets/`);
  await page.keyboard.press('Tab');
  assert.equal(await focused(app), 'skip-link');
  const skipLink = page.getByRole('link', { name: 'Skip to content' });
  const box = await skipLink.boundingBox();
  assert.ok(box && box.y >= 0 && box.height > 10, 'the focused skip link is on screen');
  await maybeScreenshot(page, 'polish-skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await focused(app), 'main');
  await page.keyboard.press('Tab');
  const afterSkip = await page.evaluate<boolean>(
    "document.activeElement.closest('nav.sidebar') === null && document.activeElement.closest('main') !== null",
  );
  assert.ok(afterSkip, 'the next tab stop is inside the main content, not the sidebar');

  // Without the skip link: the wide-screen tab order never visits the drawer checkbox.
  await page.goto(`${app.base}/spc/wallets/`);
  const order: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    order.push(await focused(app));
  }
  assert.equal(order[0], 'skip-link');
  assert.ok(!order.includes('nav-toggle'), `no focus on the hidden checkbox: ${order.join(', ')}`);

  // Phone width: the checkbox is the menu's control, right after the skip link, and opens the drawer.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.base}/spc/wallets/`);
  assert.equal(await page.locator('nav.sidebar').isVisible(), false);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await focused(app), 'nav-toggle');
  await page.keyboard.press('Space');
  await page.locator('nav.sidebar').waitFor({ state: 'visible' });
  await maybeScreenshot(page, 'polish-phone-menu');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('long wallet and device names end in an ellipsis with the full name as tooltip; the sidebar keeps its width', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${app.base}/spc/devices/`);
  const sidebar = page.locator('nav.sidebar');
  const sideBox = (await sidebar.boundingBox())!;
  assert.ok(sideBox.width <= 251, `sidebar width ${sideBox.width}`);
  for (const [where, locator, name] of [
    ['sidebar wallet', sidebar.locator(`span.ellipsis[title="${LONG_WALLET}"]`), LONG_WALLET],
    ['sidebar device', sidebar.locator(`span.ellipsis[title="${LONG_DEVICE}"]`), LONG_DEVICE],
    ['device card', page.locator(`.device-card span[title="${LONG_DEVICE}"]`), LONG_DEVICE],
  ] as const) {
    const m = await locator.evaluate((el) => {
      const s = (globalThis as unknown as { getComputedStyle: ComputedStyleFn }).getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const card = el.closest('a')!.getBoundingClientRect();
      return {
        overflow: s.textOverflow,
        nowrap: s.whiteSpace,
        clipped: el.scrollWidth > el.clientWidth,
        right: r.right,
        cardRight: card.right,
        text: el.textContent,
      };
    });
    assert.equal(m.overflow, 'ellipsis', where);
    assert.equal(m.nowrap, 'nowrap', where);
    assert.ok(m.clipped, `${where}: the long name is cut`);
    assert.ok(m.right <= m.cardRight + 0.5, `${where}: the text stays inside its box`);
    assert.equal(m.text, name, `${where}: the whole name is in the page`);
  }
  await maybeScreenshot(page, 'polish-long-names');
});

test('the address page shows a scannable QR code of the address', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  const wallet = (await app.t.specter.walletManager.list())[0]!;
  const address = await wallet.getAddress(3);
  await page.goto(`${app.base}/spc/wallets/${wallet.alias}/address/${address}`);
  const qr = page.getByRole('img', { name: `QR code of the address ${address}` });
  await qr.waitFor();
  const box = (await qr.boundingBox())!;
  assert.ok(box.width >= 150 && box.height >= 150, `QR drawn at ${box.width}×${box.height}`);
  assert.equal(await qr.locator('svg').count(), 1);
  await maybeScreenshot(page, 'polish-address-qr');
});

test('labels: a chosen file fills the import form (file-fill.js), the import applies it, the download is BIP-329', { skip }, async () => {
  const { page } = app.browser;
  await page.setViewportSize({ width: 1280, height: 900 });
  const wallet = (await app.t.specter.walletManager.list())[0]!;
  const [a0, a1] = [await wallet.getAddress(0), await wallet.getAddress(1)];
  await page.goto(`${app.base}/spc/wallets/${wallet.alias}/settings/`);
  const file = page.getByLabel('Labels file');
  await file.waitFor();
  const jsonl = [
    { type: 'addr', ref: a0, label: 'Rent' },
    { type: 'tx', ref: 'ab'.repeat(32), label: 'Rent paid' },
    { type: 'addr', ref: a1, label: 'Gift' },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n');
  await file.setInputFiles({ name: 'labels.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl) });
  await page.waitForFunction('document.getElementById("labels-data").value.length > 0');
  assert.equal(await page.getByLabel(/^Labels \(choose a file/).inputValue(), jsonl);
  await page.getByRole('button', { name: 'Import labels' }).click();
  await page.getByText(/2 address labels read from BIP-329 \(JSON lines\): 2 set, 0 already so; 1 transaction label skipped/).waitFor();
  assert.equal(wallet.getAddressInfo(a0).label, 'Rent');
  await page.locator('#labels').scrollIntoViewIfNeeded();
  await maybeScreenshot(page, 'polish-labels');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download BIP-329 (JSON lines)' }).click();
  const saved = await download;
  assert.equal(saved.suggestedFilename(), `${wallet.alias}-labels.jsonl`);
});
