import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestSpecter } from '../../../src/testing/index.js';
import { ALPHA, unescapeHtml } from '../builtin/helpers.js';
import { standardSetup, uiClient } from '../managers/wallets/helpers.js';

/** The data-ext ids of the plugin cards, in page order. */
function cardOrder(html: string): string[] {
  return [...html.matchAll(/<article class="card plugin-card" data-ext="([a-z0-9_]+)"/g)].map((m) => m[1]!);
}

function card(html: string, id: string): string {
  const start = html.indexOf(`<article class="card plugin-card" data-ext="${id}"`);
  assert.ok(start >= 0, `card ${id}`);
  return html.slice(start, html.indexOf('</article>', start));
}

test('Choose plugins lists plugins in ascending sortPriority (then name), as Specter does, with what each may do', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  const page = unescapeHtml((await t.client().get('/spc/plugins/choose')).body);
  // alpha group: devhelp (2), notifications (2), heartbeat (5) — callbacks run in the other order.
  const alpha = cardOrder(page).filter((id) => ['devhelp', 'notifications', 'heartbeat'].includes(id));
  assert.deepEqual(alpha, ['devhelp', 'notifications', 'heartbeat']);
  assert.deepEqual(
    t.specter.extensionManager.extensions.map((e) => e.id).filter((id) => alpha.includes(id)),
    ['heartbeat', 'devhelp', 'notifications'],
    'the callback order is unchanged',
  );
  const aw = card(page, 'autowithdraw');
  assert.match(aw, /What it may do \(7\)/);
  assert.match(aw, /<code>network:127\.0\.0\.1<\/code> Connects to 127\.0\.0\.1\./);
  assert.match(aw, /<code>storage:encrypted<\/code> Keeps its per-user data encrypted/);
});

test('with authentication "none" a plugin that encrypts its data cannot be activated: the card says why and links to the password setting', async (ctx) => {
  const t = await createTestSpecter({ config: ALPHA });
  ctx.after(() => t.close());
  const client = t.client();
  const page = unescapeHtml((await client.get('/spc/plugins/choose')).body);
  const aw = card(page, 'autowithdraw');
  assert.match(
    aw,
    /keeps its data encrypted with your password, and authentication is set to "none"\. <a href="\/spc\/settings\/auth\?next=[^"]+">Set a password<\/a>/,
  );
  assert.doesNotMatch(aw, /aria-label="Activate Auto-withdraw"/);
  assert.match(card(page, 'notes'), /aria-label="Activate Notes"/, 'plain plugins can be activated');

  const res = await client.post('/spc/plugins/autowithdraw/activate', {});
  assert.equal(res.statusCode, 409, res.body);
  assert.equal(t.specter.userManager.admin.hasService('autowithdraw'), false);
  await assert.rejects(t.activate('admin', 'autowithdraw'), /cannot be activated/);

  // With a password it can.
  await t.setAuth('passwordonly', 'pw123456');
  const logged = await t.login('pw123456');
  assert.equal((await logged.post('/spc/plugins/autowithdraw/activate', {})).statusCode, 302);
  assert.equal(t.specter.userManager.admin.hasService('autowithdraw'), true);
});

test('deactivating offers to release the reserved addresses; ticked, they are free again', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'pw123456');
  const client = await t.login('pw123456');
  await standardSetup(t, await uiClient(t).then(() => client));
  await t.activate('admin', 'autowithdraw');
  const aw = t.specter.extensionManager.get('autowithdraw')!;
  const admin = t.specter.userManager.admin;
  const reserved = await aw.ctx.asUser(admin.id, () => aw.ctx.addresses.reserve('cold', { count: 3 }));
  assert.equal(reserved.length, 3);

  const page = unescapeHtml((await client.get('/spc/plugins/choose')).body);
  assert.match(
    card(page, 'autowithdraw'),
    /<input type="checkbox" name="release" value="yes" checked>\s*Release its reserved addresses \(3 in Cold\)/,
  );

  // Unticked: the reservations stay (the plugin may come back).
  assert.equal((await client.post('/spc/plugins/autowithdraw/deactivate', {})).statusCode, 302);
  const wallet = await t.specter.walletsOf(admin).get('cold');
  assert.equal(wallet.getAssociatedAddresses('autowithdraw', true).length, 3);

  await t.activate('admin', 'autowithdraw');
  const res = await client.post('/spc/plugins/autowithdraw/deactivate', { release: 'yes' });
  assert.equal(res.statusCode, 302);
  assert.match(unescapeHtml((await client.follow(res)).body), /deactivated; its data is kept, and its 3 reserved addresses were released\./);
  assert.equal(wallet.getAssociatedAddresses('autowithdraw', true).length, 0);
  assert.equal(admin.hasService('autowithdraw'), false);
});
