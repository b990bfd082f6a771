import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { maybeScreenshot, skipWithoutChromium, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

const skip = skipWithoutChromium();
let app: BrowserApp;
const consoleLines: string[] = [];

before(async () => {
  if (skip) return;
  // The built-ins are alpha; TestConfig's threshold is beta.
  app = await startBrowserApp({ config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } }, (t) => t.setAuth('passwordonly', 'pw123456'));
  app.browser.page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
});
after(async () => {
  if (skip) return;
  await app.close();
});

test('log in → activate devhelp and notifications → a core flash lands in the notification centre → devhelp lists every extension', {
  skip,
}, async () => {
  const { page } = app.browser;
  await page.goto(`${app.base}/spc/auth/login`);
  await page.getByLabel('Password').fill('pw123456');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Specter TS' }).waitFor();

  await page.goto(`${app.base}/spc/plugins/choose`);
  await page.getByRole('button', { name: 'Activate Developer help' }).click();
  await page.getByText('"Developer help" is now active.').waitFor();
  await page.getByRole('button', { name: 'Activate Notifications' }).click();
  // From now on flashes are notifications: this one already shows as a toast.
  await page.locator('.spcn-toast', { hasText: '"Notifications" is now active.' }).waitFor();
  assert.equal(await page.locator('.flash', { hasText: 'is now active' }).count(), 0, 'no core banner for it');
  const admin = app.t.specter.userManager.admin;
  assert.ok(admin.hasService('devhelp') && admin.hasService('notifications'));
  await maybeScreenshot(page, 'builtin-choose-plugins');

  // A core action that flashes: Settings → General → Save.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('link', { name: 'General' }).click();
  await page.getByLabel('Display amounts in').selectOption('sat');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.spcn-toast', { hasText: 'Settings saved.' }).waitFor();
  assert.equal(await page.locator('.flashes .flash', { hasText: 'Settings saved.' }).count(), 0, 'the core flash was skipped');
  await maybeScreenshot(page, 'builtin-toast');

  // The bell leads to the notification centre, which lists it.
  await page.locator('#spcn-bell').click();
  await page.getByRole('heading', { name: 'Notification centre' }).waitFor();
  await page.locator('.spcn-item', { hasText: 'Settings saved.' }).waitFor();
  assert.equal(await page.locator('.spcn-item.spcn-unread').count(), 2);

  // Live: a notification created on the server pops up on the open page.
  await page.locator('html[data-spcn-live="1"]').waitFor();
  await app.t.specter.extensionManager.callbacks.execute('create_and_show_notification', 'Backup finished', {
    body: 'Pushed over server-sent events.',
    category: 'success',
    userId: admin.id,
  });
  const live = page.locator('.spcn-toast', { hasText: 'Backup finished' });
  await live.waitFor();
  await page.locator('#spcn-count', { hasText: '3' }).waitFor();
  await maybeScreenshot(page, 'builtin-notification-centre');
  // Dismissing it by hand marks it read.
  await live.getByRole('button', { name: 'Dismiss' }).click();
  await page.locator('#spcn-count', { hasText: '2' }).waitFor();
  await page.getByRole('button', { name: 'Mark "Settings saved." as read' }).click();
  await page.locator('#spcn-count', { hasText: '1' }).waitFor();
  await maybeScreenshot(page, 'builtin-notification-centre-read');

  await page.goto(`${app.base}/spc/ext/notifications/settings`);
  await page.getByLabel(/Show messages .* as toasts/).waitFor();
  assert.equal(await page.locator('.tab.active').textContent(), 'Notifications');
  await maybeScreenshot(page, 'builtin-notification-settings');

  // Devhelp: the registry lists every discovered extension with its status.
  await page.getByRole('link', { name: 'Developer help' }).click();
  await page.getByRole('heading', { name: 'Extension registry' }).waitFor();
  const statuses = app.t.statuses();
  const rows = page.locator('#dh-extensions tbody tr');
  assert.equal(await rows.count(), statuses.length);
  for (const s of statuses) {
    const row = page.locator(`#dh-extensions tr[data-ext="${s.id ?? s.name}"]`);
    assert.equal(await row.getAttribute('data-status'), s.status, `${s.id}`);
    assert.equal((await row.locator('.dh-status').textContent())?.trim(), s.tripped ? 'switched off' : s.status);
  }
  await maybeScreenshot(page, 'builtin-devhelp-extensions');
  for (const [tab, heading] of [
    ['Callbacks', 'Callback catalogue'],
    ['Jobs', 'Scheduler jobs'],
    ['Components', 'Component gallery'],
  ] as const) {
    await page.getByRole('navigation', { name: 'Developer help sections' }).getByRole('link', { name: tab }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    await maybeScreenshot(page, `builtin-devhelp-${tab.toLowerCase().replace(' ', '-')}`);
  }

  // The console helper ran, and nothing was refused by the CSP.
  assert.ok(
    consoleLines.some((l) => l.includes('Specter TS devhelp')),
    'devhelp.js logged its banner',
  );
  const helper = await page.evaluate(() => typeof (globalThis as unknown as { specterDevhelp?: { info(): unknown } }).specterDevhelp?.info);
  assert.equal(helper, 'function');
  const refused = consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
  assert.deepEqual(refused, []);
});
