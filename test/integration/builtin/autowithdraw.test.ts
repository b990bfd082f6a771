import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTestSpecter, type TestSpecter } from '../../../src/testing/index.js';
import { KEY, flashes, receiveAddress, standardSetup, uiClient, unescapeHtml } from '../managers/wallets/helpers.js';

/** A loopback stand-in for the exchange API: records every call, answers per token. */
interface Call {
  method: string;
  url: string;
  authorization: string | undefined;
  body: { wallet: string; addresses: string[] };
}
const calls: Call[] = [];
let server: http.Server;
let apiUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      const call: Call = { method: req.method!, url: req.url!, authorization: req.headers.authorization, body: data ? JSON.parse(data) : null };
      calls.push(call);
      if (call.authorization === 'Bearer slow-token') return; // never answers: the client must time out
      res.writeHead(call.authorization === 'Bearer bad-token' ? 401 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Starts the app with the extension pointed at this test's loopback exchange (an explicit setting wins over the extension's TestConfig). */
async function start(logLines?: string[]): Promise<TestSpecter> {
  const t = await createTestSpecter({ config: { AUTOWITHDRAW_API_URL: apiUrl }, ...(logLines ? { logLines } : {}) });
  assert.equal(t.statuses().find((s) => s.id === 'autowithdraw')?.status, 'loaded');
  assert.equal(t.specter.config.AUTOWITHDRAW_API_URL, apiUrl);
  return t;
}

test('auto-withdraw: token stored encrypted, job keeps 10 annotated addresses reserved and sends them; locked users are skipped', async () => {
  const logLines: string[] = [];
  const t = await start(logLines);
  try {
    calls.length = 0;
    await t.setAuth('usernamepassword', 'admin password');
    await t.specter.userManager.addUser('bob', 'bob password');
    await t.activate('admin', 'autowithdraw');
    await t.activate('bob', 'autowithdraw');
    const admin = await t.login('admin password', 'admin');
    await admin.get('/spc/wallets/');
    await standardSetup(t, admin);

    const page = await admin.get('/spc/ext/autowithdraw/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="aw-token">API token<\/label>/);
    assert.match(page.body, /<option value="cold"/);
    const saved = await admin.post('/spc/ext/autowithdraw/', { token: 'admin-token-123', wallet: 'cold' });
    assert.match(flashes(await admin.follow(saved)).join(), /settings saved/);
    const file = await readFile(path.join(t.dataFolder, 'users', 'admin', 'services.json'), 'utf8');
    assert.doesNotMatch(file, /admin-token-123/, 'the token is encrypted on disk');
    assert.match(file, /"autowithdraw": "gAAAAA/);

    // Bob configures it too, then logs out: his secret is locked, the job must skip him.
    const bob = await t.login('bob password', 'bob');
    await bob.get('/spc/ext/autowithdraw/');
    await bob.post('/spc/ext/autowithdraw/', { token: 'bob-token', wallet: 'cold' });
    await bob.post('/spc/auth/logout');

    const run = (await t.runJob('autowithdraw:sync')) as { status: string };
    assert.equal(run.status, 'ok');
    assert.equal(calls.length, 1, 'one call: admin only');
    const call = calls[0]!;
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/withdrawal-addresses');
    assert.equal(call.authorization, 'Bearer admin-token-123');
    assert.equal(call.body.wallet, 'cold');
    assert.equal(call.body.addresses.length, 10);
    assert.ok(
      logLines.some((l) => /skipping a user whose encrypted data is locked/.test(l) && /"user":"bob"/.test(l)),
      'the locked user is logged',
    );

    // Interleaved from receive index 0: #1, #3, … #19, each annotated.
    const wallet = await t.specter.walletManager.get('cold');
    const expected = await Promise.all(Array.from({ length: 10 }, (_, i) => wallet.getAddress(1 + 2 * i)));
    assert.deepEqual(call.body.addresses, expected);
    const annotations = JSON.parse(await readFile(path.join(t.specter.walletManager.walletsFolder, 'cold_autowithdraw.json'), 'utf8'));
    for (const a of expected) assert.deepEqual(annotations.addrs[a], { exchange: 'demo', purpose: 'withdrawal' });
    for (const a of expected) assert.equal(wallet.getAddressInfo(a).label, 'Reserved for Auto-withdraw');

    // A second run reserves nothing new and sends the same ten.
    await t.runJob('autowithdraw:sync');
    assert.deepEqual(calls[1]!.body.addresses, expected);
    assert.equal(wallet.getAssociatedAddresses('autowithdraw').length, 10);

    // The Receive tab never hands them out.
    let recv = await admin.get('/spc/wallets/cold/receive/');
    const handedOut = [receiveAddress(recv)];
    for (let i = 0; i < 6; i++) {
      recv = await admin.follow(await admin.post('/spc/wallets/cold/receive/', { action: 'newaddress' }));
      handedOut.push(receiveAddress(recv));
    }
    assert.deepEqual(
      handedOut.map((a) => wallet.getAddressInfo(a).index),
      [0, 2, 4, 6, 8, 10, 12],
    );

    // Its wallet tab lists the reserved addresses with their annotations.
    const addresses = await admin.get('/spc/wallets/cold/addresses/');
    assert.match(addresses.body, /href="\/spc\/ext\/autowithdraw\/wallet\/cold\/"[^>]*>Auto-withdraw<\/a>/);
    const tab = await admin.get('/spc/ext/autowithdraw/wallet/cold/');
    assert.equal(tab.statusCode, 200);
    assert.match(tab.body, /<h1>Cold<\/h1>/);
    assert.match(tab.body, /aria-current="page">Auto-withdraw/);
    for (const a of expected) assert.match(tab.body, new RegExp(`data-address="${a}"[\\s\\S]*?exchange: demo[\\s\\S]*?purpose: withdrawal`));

    // Status on the settings page.
    const status = unescapeHtml((await admin.get('/spc/ext/autowithdraw/')).body);
    assert.match(status, /10 withdrawal addresses sent to the exchange/);
    assert.match(status, /10 unused addresses/);
  } finally {
    await t.close();
  }
});

test('auto-withdraw: refused token, timeout, wallet switch and removal', async (ctx) => {
  const t = await start();
  ctx.after(() => t.close());
  calls.length = 0;
  t.specter.config.AUTOWITHDRAW_HTTP_TIMEOUT_MS = 300;
  await t.setAuth('passwordonly', 'admin password');
  await t.activate('admin', 'autowithdraw');
  const admin = await t.login('admin password');
  await admin.get('/spc/wallets/');
  await standardSetup(t, admin);
  await t.specter.walletManager.importDescriptor(`wsh(sortedmulti(1,${KEY.abandon}/0/*,${KEY.legal}/0/*))`, { name: 'Other' });
  const ext = t.specter.extensionManager.get('autowithdraw')!;

  // Unknown wallet: refused, nothing saved.
  const unknown = await admin.post('/spc/ext/autowithdraw/', { token: 'x', wallet: 'nope' });
  assert.match(flashes(await admin.follow(unknown)).join(), /no wallet "nope"/);

  await admin.post('/spc/ext/autowithdraw/', { token: 'bad-token', wallet: 'cold' });
  const refused = await admin.follow(await admin.post('/spc/ext/autowithdraw/sync'));
  assert.match(flashes(refused).join(), /did not accept the addresses: the API token was refused/);
  assert.match(refused.body, /badge-bad">failed/);

  await admin.post('/spc/ext/autowithdraw/', { token: 'slow-token', wallet: 'cold' });
  // The fake server never answers, so this message can only come from the client's own timeout.
  const slow = await admin.follow(await admin.post('/spc/ext/autowithdraw/sync'));
  assert.match(
    flashes(slow).join(),
    /could not be reached: plugin autowithdraw: no answer from http:\/\/127\.0\.0\.1:\d+\/withdrawal-addresses within 300 ms/,
  );

  // Empty token keeps the saved one; switching wallets releases the old reservations.
  assert.equal((await t.specter.walletManager.get('cold')).getAssociatedAddresses('autowithdraw', true).length, 10);
  await admin.post('/spc/ext/autowithdraw/', { token: '', wallet: 'other' });
  assert.equal((await t.specter.walletManager.get('cold')).getAssociatedAddresses('autowithdraw', true).length, 0);
  const reports = await (ext as unknown as { syncAll(): Promise<Array<{ user: string; status: string; message?: string }>> }).syncAll();
  assert.deepEqual(reports, [{ user: 'admin', status: 'failed', message: reports[0]!.message }]);
  assert.equal(calls.at(-1)!.authorization, 'Bearer slow-token');
  assert.equal(calls.at(-1)!.body.wallet, 'other');

  await admin.post('/spc/ext/autowithdraw/remove');
  assert.equal((await t.specter.walletManager.get('other')).getAssociatedAddresses('autowithdraw', true).length, 0);
  assert.match((await admin.get('/spc/ext/autowithdraw/')).body, /<dt>Token<\/dt><dd>not set<\/dd>/);
});

test('auto-withdraw needs a password: with auth "none" it cannot be activated, and Choose plugins links to the auth settings', async (ctx) => {
  const t = await start();
  ctx.after(() => t.close());
  await assert.rejects(t.activate('admin', 'autowithdraw'), /keeps its data encrypted with your password[\s\S]*cannot be activated/);
  const client = await uiClient(t);
  assert.equal((await client.get('/spc/ext/autowithdraw/')).statusCode, 404, 'not active, so not reachable');
  const choose = (await client.get('/spc/plugins/choose')).body;
  assert.match(choose, /href="\/spc\/settings\/auth\?next=[^"]*">Set a password<\/a> to use it\./);
  // The job runs without error and sends nothing.
  calls.length = 0;
  assert.equal(((await t.runJob('autowithdraw:sync')) as { status: string }).status, 'ok');
  assert.equal(calls.length, 0);
});
