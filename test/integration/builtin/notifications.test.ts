import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { ALPHA, unescapeHtml } from './helpers.js';

interface Notification {
  id: string;
  title: string;
  body: string;
  category: string;
  source: string;
  read: boolean;
  toast: boolean;
}

/** The loaded notifications extension, with the methods these tests use. */
function notifications(t: TestSpecter) {
  const ext = t.specter.extensionManager.get('notifications') as unknown as {
    list(user: { id: string }): Promise<Notification[]>;
    unreadCount(userId: string): number;
    streamCount(userId?: string): number;
    flushed(): Promise<void>;
  };
  assert.ok(ext, 'notifications is loaded');
  return ext;
}

const FLASH_BANNER = /class="flash flash-success">Settings saved\./;
const TOAST = /class="spcn-toast spcn-success"[^>]*>[\s\S]*?Settings saved\./;

test('a core flash becomes a notification (toast on the next page) for a user who activated notifications; others get the core flash', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  await t.setAuth('usernamepassword', 'admin-pass-1');
  const bob = await t.specter.userManager.addUser('bob', 'bob-pass-12', true);
  await t.activate('admin', 'notifications');
  const ext = notifications(t);
  const adminUser = t.specter.userManager.admin;

  const admin = await t.login('admin-pass-1', 'admin');
  await admin.get('/spc/settings/general');
  const saved = await admin.post('/spc/settings/general', { unit: 'sat' });
  assert.equal(saved.statusCode, 302);
  const next = await admin.follow(saved);
  assert.doesNotMatch(next.body, FLASH_BANNER, 'the core flash was skipped');
  assert.match(next.body, TOAST, 'the next page shows it as a toast');
  assert.match(next.body, /id="spcn-count">1</, 'the bell counts it');
  assert.match(next.body, /notifications\/js\/notifications\.js"[^>]*data-events-url="\/spc\/ext\/notifications\/events"/);
  assert.match(next.body, /notifications\/css\/notifications\.css/);
  const list = await ext.list(adminUser);
  assert.equal(list.length, 1);
  assert.deepEqual(
    { title: list[0]!.title, category: list[0]!.category, source: list[0]!.source, read: list[0]!.read },
    { title: 'Settings saved.', category: 'success', source: 'flash', read: false },
  );
  // Shown once: the page after that has no toast, but the centre lists it.
  assert.doesNotMatch((await admin.get('/spc/settings/general')).body, TOAST);
  const centre = await admin.get('/spc/ext/notifications/');
  assert.equal(centre.statusCode, 200);
  assert.match(centre.body, /<strong>Settings saved\.<\/strong>/);
  assert.match(centre.body, /Mark as read/);
  // Persisted in the unencrypted per-user data.
  await ext.flushed();
  const stored = (await t.specter.services.storage.forUser(adminUser).get('notifications', false)) as { notifications?: Notification[] };
  assert.deepEqual(
    stored.notifications?.map((n) => n.title),
    ['Settings saved.'],
  );

  const bobClient = await t.login('bob-pass-12', 'bob');
  await bobClient.get('/spc/settings/general');
  const bobNext = await bobClient.follow(await bobClient.post('/spc/settings/general', { unit: 'btc' }));
  assert.match(bobNext.body, FLASH_BANNER, 'a user without notifications gets the core flash');
  assert.doesNotMatch(bobNext.body, /spcn-/, 'and nothing of the plugin');
  assert.deepEqual(await ext.list(bob), []);
  assert.equal((await bobClient.get('/spc/ext/notifications/')).statusCode, 404);
});

test('mark as read, mark all, clear; create_and_show_notification targets users who activated it; the last 50 are kept', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'pw123456');
  await t.activate('admin', 'notifications');
  const ext = notifications(t);
  const admin = t.specter.userManager.admin;
  const bob = await t.specter.userManager.addUser('bob', 'bob-pass-12');
  const callbacks = t.specter.extensionManager.callbacks;

  const result = (await callbacks.execute('create_and_show_notification', 'Backup done', {
    body: 'All <wallets> saved',
    category: 'success',
    userId: 'admin',
  })) as Record<string, Notification>;
  assert.equal(result.notifications?.title, 'Backup done');
  const none = (await callbacks.execute('create_and_show_notification', 'For bob', { userId: bob.id })) as Record<string, unknown>;
  assert.deepEqual(none, {}, 'bob has not activated notifications: nobody showed it');
  assert.deepEqual(await ext.list(bob), []);
  // Outside a request and without userId: the admin (Specter: background jobs act as admin).
  await callbacks.execute('create_and_show_notification', 'From a job');
  assert.deepEqual(
    (await ext.list(admin)).map((n) => n.title),
    ['From a job', 'Backup done'],
  );

  const client = await t.login('pw123456');
  let centre = await client.get('/spc/ext/notifications/');
  assert.match(centre.body, /All &lt;wallets&gt; saved/, 'bodies are escaped');
  const first = (await ext.list(admin)).find((n) => n.title === 'Backup done')!;
  const read = await client.post(`/spc/ext/notifications/${first.id}/read`);
  assert.equal(read.statusCode, 302);
  assert.equal(ext.unreadCount(admin.id), 1);
  // The page script's JSON variant.
  const jsonRead = await client.request('POST', `/spc/ext/notifications/${(await ext.list(admin))[0]!.id}/read`, {
    headers: { accept: 'application/json', 'x-csrf-token': client.csrfToken! },
  });
  assert.equal(jsonRead.statusCode, 200);
  assert.deepEqual(JSON.parse(jsonRead.body), { ok: true, unread: 0 });
  centre = await client.get('/spc/ext/notifications/');
  assert.doesNotMatch(centre.body, />Mark as read</);
  assert.match(centre.body, /All caught up/);

  for (let i = 0; i < 55; i++) await callbacks.execute('create_and_show_notification', `n${i}`, { userId: 'admin' });
  const list = await ext.list(admin);
  assert.equal(list.length, 50);
  assert.equal(list[0]!.title, 'n54');
  assert.equal(list[49]!.title, 'n5');
  await client.get('/spc/ext/notifications/');
  assert.equal((await client.post('/spc/ext/notifications/read-all')).statusCode, 302);
  assert.equal(ext.unreadCount(admin.id), 0);
  // The centre's test button goes through the public callback; the next page shows the toast.
  const sent = await client.post('/spc/ext/notifications/test');
  assert.equal(sent.statusCode, 302);
  const afterTest = await client.follow(sent);
  assert.match(afterTest.body, /class="spcn-toast spcn-info"[\s\S]*?Test notification/);
  assert.equal(ext.unreadCount(admin.id), 1);
  assert.equal((await client.post('/spc/ext/notifications/clear')).statusCode, 302);
  assert.deepEqual(await ext.list(admin), []);
});

test('the settings tab: flashes as toasts can be switched off (the core banner shows them, the centre keeps them)', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'pw123456');
  await t.activate('admin', 'notifications');
  const ext = notifications(t);
  const client = await t.login('pw123456');
  const general = await client.get('/spc/settings/general');
  assert.match(general.body, /href="\/spc\/ext\/notifications\/settings"[^>]*>Notifications</, 'the settings tab is listed');
  const settings = await client.get('/spc/ext/notifications/settings');
  assert.equal(settings.statusCode, 200);
  assert.match(settings.body, /class="tab active" href="\/spc\/ext\/notifications\/settings"/, 'the tab bar marks it active');
  assert.match(settings.body, /href="\/spc\/settings\/general"/, 'and has the core tabs');
  assert.match(settings.body, /class="sidebar-item active" href="\/spc\/settings\/general"/, 'the sidebar marks Settings');
  assert.match(settings.body, /name="flash_toasts" checked/);

  const off = await client.post('/spc/ext/notifications/settings', {});
  assert.equal(off.statusCode, 302);
  const offPage = await client.follow(off);
  assert.doesNotMatch(offPage.body, /name="flash_toasts" checked/);
  assert.match(offPage.body, /class="flash flash-success">Notification settings saved\./, 'with toasts off, the core banner shows flashes');
  await client.get('/spc/settings/general');
  const next = await client.follow(await client.post('/spc/settings/general', { unit: 'sat' }));
  assert.match(next.body, FLASH_BANNER);
  assert.doesNotMatch(next.body, TOAST);
  const kept = await ext.list(t.specter.userManager.admin);
  assert.deepEqual(
    kept.map((n) => [n.title, n.read]),
    [
      ['Settings saved.', true],
      ['Notification settings saved.', true],
    ],
  );

  await client.post('/spc/ext/notifications/settings', { flash_toasts: 'on' });
  await ext.flushed();
  const stored = (await t.specter.services.storage.forUser(t.specter.userManager.admin).get('notifications', false)) as {
    settings?: { flashToasts?: boolean };
  };
  assert.equal(stored.settings?.flashToasts, true);
});

test('the secret guard\'s "Log in again" shows on the login page as a core flash, and nothing stale shows as a toast after the login', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'pw123456');
  await t.activate('admin', 'notifications');
  await t.activate('admin', 'autowithdraw'); // its settings page is behind userSecretDecryptedRequired
  const ext = notifications(t);
  const admin = t.specter.userManager.admin;
  const client = await t.login('pw123456');
  t.specter.userManager.lock(admin.id);
  const guard = await client.get('/spc/ext/autowithdraw/');
  assert.equal(guard.statusCode, 302);
  assert.match(String(guard.headers.location), /^\/spc\/auth\/login\?next=/);

  // Nobody is logged in on the login page, so no plugin can show it: the core flash does.
  const login = await client.follow(guard);
  assert.equal(login.statusCode, 200);
  assert.match(login.body, /class="flash flash-info">Log in again to unlock your encrypted plugin data\./);
  assert.doesNotMatch(login.body, /spcn-/);

  // Log in again in the same browser: back through the guard to the plugin's page.
  const next = unescapeHtml(/name="next" value="([^"]*)"/.exec(login.body)?.[1] ?? '');
  assert.equal(next, '/spc/ext/autowithdraw/');
  const loggedIn = await client.post('/spc/auth/login', { password: 'pw123456', next });
  assert.equal(loggedIn.statusCode, 302);
  const page = await client.follow(loggedIn);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /id="spcn-bell"/, 'notifications is on for this page');
  assert.doesNotMatch(page.body, /class="spcn-toast spcn-/, 'no stale toast');
  assert.doesNotMatch(page.body, /Log in again to unlock your encrypted plugin data/, 'the message was shown once, on the login page');
  assert.deepEqual(await ext.list(admin), [], 'it never became a notification');
});

test('notifications survive a restart (persisted per user)', async () => {
  const dataFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-notif-'));
  try {
    const t1 = await createTestSpecter({ config: ALPHA, dataFolder });
    await t1.activate('admin', 'notifications');
    await t1.specter.extensionManager.callbacks.execute('create_and_show_notification', 'Before restart', { body: 'kept', userId: 'admin' });
    await notifications(t1).flushed();
    await t1.close();
    const t2 = await createTestSpecter({ config: ALPHA, dataFolder });
    try {
      const list = await notifications(t2).list(t2.specter.userManager.admin);
      assert.deepEqual(
        list.map((n) => [n.title, n.body, n.read]),
        [['Before restart', 'kept', false]],
      );
      // It was never shown (no page was open), so the next page shows it as a toast.
      const page = await t2.client().get('/spc/settings/general');
      assert.match(page.body, /class="spcn-toast spcn-info"[\s\S]*?Before restart/);
    } finally {
      await t2.close();
    }
  } finally {
    await fs.rm(dataFolder, { recursive: true, force: true });
  }
});

/** Logs in over real HTTP and returns the session cookie. */
async function loginOverHttp(base: string, password: string): Promise<string> {
  const page = await fetch(`${base}/spc/auth/login`, { redirect: 'manual' });
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(csrf, 'the login page has a CSRF token');
  const res = await fetch(`${base}/spc/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: csrf, password }).toString(),
  });
  assert.equal(res.status, 302, 'logged in');
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** Reads server-sent events until one named `name` arrives. */
async function nextEvent(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  name: string,
  buffer: { text: string },
): Promise<{ event: string; data: string; id?: string }> {
  const decoder = new TextDecoder();
  for (;;) {
    let end: number;
    while ((end = buffer.text.indexOf('\n\n')) >= 0) {
      const block = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^([a-z]+): ?(.*)$/.exec(line);
        if (m) fields[m[1]!] = fields[m[1]!] === undefined ? m[2]! : `${fields[m[1]!]}\n${m[2]!}`;
      }
      if (fields.event === name) return { event: name, data: fields.data ?? '', ...(fields.id !== undefined && { id: fields.id }) };
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a "${name}" event`);
    buffer.text += decoder.decode(value, { stream: true });
  }
}

// The timeout turns a stream that keeps the server open into a failure instead of a hang.
test('the event stream pushes a create_and_show_notification event, and is cleaned up on disconnect and on shutdown', {
  timeout: 20_000,
}, async () => {
  const t = await createTestSpecter({ config: ALPHA });
  let closing: Promise<void> | undefined;
  try {
    await t.setAuth('passwordonly', 'pw123456');
    await t.activate('admin', 'notifications');
    const ext = notifications(t);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const cookie = await loginOverHttp(base, 'pw123456');

    const anonymous = await fetch(`${base}/spc/ext/notifications/events`, { redirect: 'manual' });
    assert.equal(anonymous.status, 302, 'no stream without a login');
    await anonymous.body?.cancel();

    const abort = new AbortController();
    const res = await fetch(`${base}/spc/ext/notifications/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/event-stream/);
    const reader = res.body!.getReader();
    const buffer = { text: '' };
    const hello = await nextEvent(reader, 'unread', buffer);
    assert.deepEqual(JSON.parse(hello.data), { unread: 0 });
    assert.equal(ext.streamCount('admin'), 1);

    await t.specter.extensionManager.callbacks.execute('create_and_show_notification', 'Over the wire', {
      body: 'pushed <live>',
      category: 'warning',
      userId: 'admin',
    });
    const event = await nextEvent(reader, 'notification', buffer);
    const payload = JSON.parse(event.data) as Notification & { showToast: boolean; unread: number };
    assert.equal(payload.title, 'Over the wire');
    assert.equal(payload.body, 'pushed <live>');
    assert.equal(payload.category, 'warning');
    assert.equal(payload.showToast, true);
    assert.equal(payload.unread, 1);
    assert.equal(event.id, payload.id);
    // Delivered live, so the next page does not show it again.
    assert.equal((await ext.list(t.specter.userManager.admin))[0]!.toast, false);

    abort.abort();
    await reader.cancel().catch(() => undefined);
    for (let i = 0; i < 100 && ext.streamCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(ext.streamCount(), 0, 'the stream is dropped when the client goes away');

    // An open stream must not keep the server from shutting down: the app stops extensions
    // before it waits for open connections, and stop() ends the stream right away.
    const open = await fetch(`${base}/spc/ext/notifications/events`, { headers: { cookie } });
    const openReader = open.body!.getReader();
    await nextEvent(openReader, 'unread', { text: '' });
    assert.equal(ext.streamCount(), 1);
    closing = t.close();
    await assert.rejects(nextEvent(openReader, 'never', { text: '' }), /stream ended|terminated|aborted/i);
    assert.equal(ext.streamCount(), 0);
    // close() finishes (the test's timeout guards a hang); no wall-clock bound: fetch can leave a
    // spare keep-alive socket (opened after the abort above) that the server lets the client close.
    await closing;
  } finally {
    await (closing ?? t.close());
  }
});
