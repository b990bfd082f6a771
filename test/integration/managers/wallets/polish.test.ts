import { test } from 'node:test';
import assert from 'node:assert/strict';
import nunjucks from 'nunjucks';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { datetimeFilter } from '../../../../src/server/view-filters.js';
import { MAX_IMPORT_TEXT } from '../../../../src/managers/wallets/index.js';
import { KEY, errorOf, snapshot, standardSetup, uiClient, unescapeHtml } from './helpers.js';

const LONG_NAME = 'A wallet with a remarkably long name that goes on and on well past the sidebar edge';

test('the sidebar links the wallets overview, the device list and About; long names get an ellipsis and a title', async () => {
  const t = await createTestSpecter();
  try {
    const client = await uiClient(t);
    await standardSetup(t, client);
    assert.equal((await client.post('/spc/wallets/new/singlesig', { name: LONG_NAME, device: 'abandon', script_type: 'wpkh' })).statusCode, 302);
    const page = await client.get('/spc/wallets/');
    assert.match(page.body, /<h2 class="sidebar-title"><a href="\/spc\/wallets\/" aria-current="page">Wallets<\/a><\/h2>/);
    assert.match(page.body, /<h2 class="sidebar-title"><a href="\/spc\/devices\/">Devices<\/a><\/h2>/);
    assert.match(page.body, /<a class="sidebar-item" href="\/spc\/welcome\/about">[\s\S]*?<span>About<\/span><\/a>/);
    assert.equal((await client.get('/spc/welcome/about')).statusCode, 200);
    assert.match(page.body, new RegExp(`<span class="ellipsis" title="${LONG_NAME}">${LONG_NAME}</span>`), 'sidebar wallet');
    assert.match(page.body, /<span class="ellipsis" title="Abandon">Abandon<\/span>/, 'sidebar device');
    assert.match(page.body, new RegExp(`<strong title="${LONG_NAME}">`), 'overview card');
    assert.match((await client.get('/spc/devices/')).body, /<span title="Abandon">Abandon<\/span>/, 'device card');
    assert.match((await client.get('/spc/wallets/new/multisig')).body, /<span title="Legal">Legal<\/span>/, 'device choice card');
  } finally {
    await t.close();
  }
});

test('every page starts with a skip link to the main content; the menu checkbox is labelled, not hidden from assistive tech', async () => {
  const t = await createTestSpecter();
  try {
    const page = await (await uiClient(t)).get('/spc/wallets/');
    const body = page.body.slice(page.body.indexOf('<body>'));
    const firstFocusable = /<(a|input|button|select|textarea)\b[^>]*>/.exec(body)![0];
    assert.equal(firstFocusable, '<a class="skip-link" href="#main">');
    assert.match(page.body, /<main class="main" id="main" tabindex="-1">/);
    assert.match(page.body, /<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-label="Menu" aria-controls="sidebar">/);
    assert.doesNotMatch(page.body, /id="nav-toggle"[^>]*aria-hidden/);
  } finally {
    await t.close();
  }
});

test('timestamps: one datetime filter gives <time> in a fixed readable form; extension pages use it', async () => {
  const html = String(datetimeFilter('2026-12-02T05:47:12.345Z'));
  assert.equal(html, '<time datetime="2026-12-02T05:47:12.345Z" title="2 Dec 2026, 05:47 UTC" data-local>2 Dec 2026, 05:47 UTC</time>');
  assert.equal(
    String(datetimeFilter(Date.UTC(2024, 0, 5, 23, 4))),
    '<time datetime="2024-01-05T23:04:00.000Z" title="5 Jan 2024, 23:04 UTC" data-local>5 Jan 2024, 23:04 UTC</time>',
  );
  assert.equal(datetimeFilter(null), '—');
  assert.equal(datetimeFilter('soon'), 'soon', 'not a time: shown as given (and escaped by the template)');
  const env = new nunjucks.Environment(null, { autoescape: true });
  env.addFilter('datetime', datetimeFilter);
  assert.equal(env.renderString('{{ v | datetime }}', { v: '<b>' }), '&lt;b&gt;');

  const t = await createTestSpecter();
  try {
    await t.activate('admin', 'notes');
    const client = await uiClient(t);
    await client.post('/spc/ext/notes/', { text: 'Call the bank' });
    const notes = await client.get('/spc/ext/notes/');
    assert.match(
      notes.body,
      /<small class="muted"><time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" title="\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC" data-local>\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC<\/time><\/small>/,
    );
    assert.doesNotMatch(notes.body.replace(/datetime="[^"]+"/g, ''), /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'no raw ISO string in the text');
    assert.match(notes.body, /<script src="\/static\/js\/local-time.js" defer><\/script>/, 'the page localises it');
  } finally {
    await t.close();
  }
});

test('Choose plugins says a devstatus threshold in words, and the admin sees how to change it', async () => {
  const t = await createTestSpecter();
  try {
    const page = await (await uiClient(t)).get('/spc/plugins/choose');
    const row = /<tr data-status="below-devstatus"><td>heartbeat<\/td>[\s\S]*?<\/tr>/.exec(page.body);
    assert.ok(row, 'heartbeat (alpha) is listed as not loaded under the Test threshold (beta)');
    const text = unescapeHtml(row[0].replace(/<[^>]+>/g, ' '));
    assert.match(text, /not loaded: still in testing/);
    assert.match(text, /This plugin is marked alpha \(early testing\); this installation loads only plugins marked beta \(testing\) or production\./);
    assert.match(text, /To load it, restart Specter TS with --devstatus-threshold alpha/);
    assert.doesNotMatch(text, /below the threshold|below-devstatus/);
    assert.match(page.body, /<span class="badge" title="Maturity: production">production<\/span>/);
  } finally {
    await t.close();
  }
});

test('Receive shows the saved label as the card title; the address page has a QR code', async () => {
  const t = await createTestSpecter();
  try {
    const client = await uiClient(t);
    await standardSetup(t, client);
    const address = await (await t.specter.walletManager.get('cold')).getAddress(0);
    assert.match(
      (await client.get('/spc/wallets/cold/receive/')).body,
      /<h2 id="receive-title" class="ellipsis" title="Address #0">Address #0<\/h2>/,
    );
    await client.post(`/spc/wallets/cold/address/${address}/label`, { label: 'From Alice', next: 'receive' });
    const receive = await client.get('/spc/wallets/cold/receive/');
    assert.match(receive.body, /<h2 id="receive-title" class="ellipsis" title="From Alice">From Alice<\/h2>/);
    assert.match(receive.body, /<p class="muted" id="receive-index">Address #0<\/p>/);

    const detail = await client.get(`/spc/wallets/cold/address/${address}`);
    assert.match(
      detail.body,
      new RegExp(`<div class="qr" role="img" aria-label="QR code of the address ${address}" id="address-qr"><svg xmlns="http://www.w3.org/2000/svg"`),
    );
  } finally {
    await t.close();
  }
});

test('a note over 2,000 characters is refused with the limit and the text stays in the form', async () => {
  const t = await createTestSpecter();
  try {
    await t.activate('admin', 'notes');
    const client = await uiClient(t);
    const form = await client.get('/spc/ext/notes/');
    assert.match(form.body, /Up to 2,000 characters\./);
    assert.doesNotMatch(form.body, /<textarea[^>]*maxlength/, 'no silent cut by the browser');
    const text = `Shopping list <b>&</b>\n${'milk, '.repeat(400)}`;
    const res = await client.post('/spc/ext/notes/', { text });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.body,
      /<div class="form-error" role="alert" id="note-error"><strong>The note is 2,\d{3} characters long; the limit is 2,000\. Shorten it or split it into two notes\.<\/strong>/,
    );
    const kept = /<textarea id="note-text"[^>]*>([\s\S]*?)<\/textarea>/.exec(res.body)![1]!;
    assert.equal(unescapeHtml(kept), text);
    const empty = await client.post('/spc/ext/notes/', { text: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /The note is empty\./);
    assert.match((await client.get('/spc/ext/notes/')).body, /No notes yet\./, 'nothing was saved');
  } finally {
    await t.close();
  }
});

test('new-wallet and import forms state their limits and keep the input when it is too long', async () => {
  const t = await createTestSpecter();
  try {
    const client = await uiClient(t);
    await standardSetup(t, client);
    const before = await snapshot(t.dataFolder);
    const longName = 'N'.repeat(130);

    const single = await client.post('/spc/wallets/new/singlesig', { name: longName, device: 'abandon', script_type: 'sh-wpkh' });
    assert.equal(single.statusCode, 400);
    assert.equal(errorOf(single), 'The wallet name is 130 characters long; the maximum is 100.');
    assert.match(single.body, new RegExp(`id="wallet-name" name="name" value="${longName}" maxlength="100"`));
    assert.match(single.body, /value="sh-wpkh" checked/);

    const multi = await client.post('/spc/wallets/new/multisig', { name: longName, threshold: '2', script_type: 'wsh', devices: 'abandon,legal' });
    assert.equal(multi.statusCode, 400);
    assert.match(errorOf(multi), /the maximum is 100/);
    assert.match(multi.body, /value="abandon" checked/);

    const form = await client.get('/spc/wallets/new/import');
    assert.match(form.body, /At most 262,144 characters; the name at most 100\./);
    const descriptor = `wsh(sortedmulti(2,${KEY.abandon}/<0;1>/*,${KEY.legal}/<0;1>/*))`;
    const tooLong = descriptor + ' '.repeat(10) + 'x'.repeat(MAX_IMPORT_TEXT);
    const big = await client.post('/spc/wallets/new/import', { name: 'Big', data: tooLong });
    assert.equal(big.statusCode, 400);
    assert.match(errorOf(big), /^The descriptor is 262,\d{3} characters long; the limit is 262,144\.$/);
    assert.match(big.body, /<code>SPECTER_ERR_INPUT_TOO_LONG<\/code>/);
    const kept = /<textarea id="import-data"[^>]*>([\s\S]*?)<\/textarea>/.exec(big.body)![1]!;
    assert.ok(unescapeHtml(kept) === tooLong, 'the pasted text is shown again');
    assert.match(big.body, /id="import-name" name="name" value="Big"/);

    const backup = await client.post('/spc/wallets/new/import', { name: '', data: `{"label": "x", "descriptor": "${'y'.repeat(MAX_IMPORT_TEXT)}"}` });
    assert.equal(backup.statusCode, 400);
    assert.match(errorOf(backup), /^The wallet backup is 262,\d{3} characters long; the limit is 262,144\.$/);
    assert.deepEqual(await snapshot(t.dataFolder), before, 'nothing was written');
  } finally {
    await t.close();
  }
});

test('form errors name script types in words', async () => {
  const t = await createTestSpecter();
  try {
    const client = await uiClient(t);
    await standardSetup(t, client);
    const single = await client.post('/spc/wallets/new/singlesig', { name: 'S', device: 'abandon', script_type: 'pkh' });
    assert.equal(single.statusCode, 400);
    assert.match(unescapeHtml(single.body), /<p class="hint">Choose Segwit \(P2WPKH\), Nested Segwit \(P2SH-P2WPKH\) or Taproot \(P2TR\)\.<\/p>/);
    const multi = await client.post('/spc/wallets/new/multisig', { name: 'M', threshold: '1', script_type: 'sh', devices: 'abandon,legal' });
    assert.match(unescapeHtml(multi.body), /<p class="hint">Choose Segwit \(P2WSH\) or Nested Segwit \(P2SH-P2WSH\)\.<\/p>/);
    const noKey = await client.post('/spc/wallets/new/singlesig', { name: 'T', device: 'legal', script_type: 'tr' });
    assert.equal(errorOf(noKey), 'Device "Legal" has no key for Taproot (P2TR) single-key wallets.');
    assert.match(noKey.body, /Add the device&#39;s key for Taproot \(P2TR\) single-key wallets, usually at m\/86h\/0h\/0h\./);
  } finally {
    await t.close();
  }
});
