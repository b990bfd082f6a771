import { reservationsOf } from '../../../helpers/reservations.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter } from '../../../../src/testing/index.js';
import { fixturePackage } from '../../../helpers/ext-packages.js';
import {
  KEY,
  KEY_84,
  XPUB_84,
  TPUB_84,
  errorOf,
  flashes,
  receiveAddress,
  snapshot,
  standardSetup,
  uiClient,
  unescapeHtml,
  walletFixture,
} from './helpers.js';

test('add a device by pasting keys; bad input shows a clear error and saves nothing', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  const form = await client.get('/spc/devices/new');
  assert.equal(form.statusCode, 200);
  // Every registered type is offered with its icon.
  for (const type of t.specter.deviceManager.types.list()) {
    assert.match(form.body, new RegExp(`data-type="${type.type}"[\\s\\S]*?<img src="${type.icon}"`), type.type);
  }
  assert.match(form.body, /<label for="device-name">Name<\/label>/);
  assert.match(form.body, /<label for="device-keys">Public keys<\/label>/);

  const before = await snapshot(t.dataFolder);
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ name: 'X', type: 'coldcard', keys: 'xpub6GARBAGE' }, /Line 1: .*not valid base58check/],
    [{ name: 'X', type: 'coldcard', keys: '' }, /No keys were given|Line 1/],
    [{ name: 'X', type: 'nonsense', keys: KEY.abandon }, /Unknown device type "nonsense"/],
    [{ name: '', type: 'coldcard', keys: KEY.abandon }, /name is empty/],
    [{ name: 'X', type: 'coldcard', keys: `${KEY.abandon}\n${KEY.abandon}` }, /duplicate/],
    [{ name: 'X', type: 'coldcard', keys: '{"xfp": "73C5DA0A", "bip84": ' }, /looks like JSON but does not parse/],
    [
      {
        name: 'X',
        type: 'coldcard',
        keys: 'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi',
      },
      /PRIVATE key/,
    ],
  ];
  for (const [values, message] of bad) {
    const res = await client.post('/spc/devices/new', values);
    assert.equal(res.statusCode, 400, JSON.stringify(values));
    assert.match(errorOf(res), message);
    // What the user typed is kept in the form.
    if (values.name) assert.match(res.body, new RegExp(`value="${values.name}"`));
  }
  assert.deepEqual(await snapshot(t.dataFolder), before, 'a refused device changes no file');

  const ok = await client.post('/spc/devices/new', { name: 'My Coldcard', type: 'coldcard', keys: `${KEY.abandon}\n${KEY_84}` });
  assert.equal(ok.statusCode, 302);
  assert.equal(ok.headers.location, '/spc/devices/my-coldcard/');
  const page = await client.follow(ok);
  assert.match(flashes(page).join(), /Device "My Coldcard" added with 2 keys/);
  assert.match(page.body, /m\/48h\/0h\/0h\/2h/);
  assert.match(page.body, /Segwit \(P2WPKH\)/);
  assert.match(page.body, /Mainnet/);
  assert.match(
    page.body,
    /xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/,
    'zpub stored canonical',
  );
  // A duplicate name is refused too, and the list shows the device.
  const dup = await client.post('/spc/devices/new', { name: 'my coldcard', type: 'trezor', keys: KEY.legal });
  assert.equal(dup.statusCode, 409, 'a taken name is a conflict');
  assert.match(errorOf(dup), /already exists/);
  assert.match((await client.get('/spc/devices/')).body, /data-device="my-coldcard"[\s\S]*My Coldcard[\s\S]*2 keys/);
});

test('a Coldcard generic JSON export is accepted', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  const json = JSON.stringify({
    xfp: '73C5DA0A',
    bip84: {
      deriv: "m/84'/0'/0'",
      xpub: 'xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V',
    },
    bip48_2: { deriv: "m/48'/0'/0'/2'", xpub: KEY.abandon.split(']')[1] },
  });
  const res = await client.post('/spc/devices/new', { name: 'CC', type: 'coldcard', keys: json });
  assert.equal(res.statusCode, 302, errorOf(res));
  const device = await t.specter.deviceManager.get('cc');
  assert.deepEqual(device.keys.map((k) => k.scriptType).sort(), ['wpkh', 'wsh']);
});

test('device page: add keys, remove a key, rename, delete with confirmation', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  await client.post('/spc/devices/new', { name: 'Dev', type: 'jade', keys: KEY.abandon });
  const bad = await client.post('/spc/devices/dev/keys', { keys: KEY.abandon });
  assert.equal(bad.statusCode, 400);
  assert.match(errorOf(bad), /duplicate of a key the device already has/);
  const add = await client.post('/spc/devices/dev/keys', { keys: KEY_84 });
  assert.equal(add.statusCode, 302);
  assert.equal((await t.specter.deviceManager.get('dev')).keys.length, 2);

  await client.post('/spc/devices/dev/keys/remove', { xpub: (await t.specter.deviceManager.get('dev')).keys[0]!.xpub });
  assert.equal((await t.specter.deviceManager.get('dev')).keys.length, 1);

  const rename = await client.post('/spc/devices/dev/rename', { name: 'Jade one' });
  assert.equal(rename.statusCode, 302);
  assert.equal((await t.specter.deviceManager.get('dev')).name, 'Jade one');
  const emptyName = await client.post('/spc/devices/dev/rename', { name: '   ' });
  assert.equal(emptyName.statusCode, 400);

  const confirm = await client.get('/spc/devices/dev/delete');
  assert.match(confirm.body, /Delete device "Jade one"\?/);
  const notConfirmed = await client.post('/spc/devices/dev/delete', {});
  assert.equal(notConfirmed.headers.location, '/spc/devices/dev/');
  assert.ok(await t.specter.deviceManager.get('dev'));
  const del = await client.post('/spc/devices/dev/delete', { confirm: 'yes' });
  assert.equal(del.headers.location, '/spc/devices/');
  assert.equal((await client.get('/spc/devices/dev/')).statusCode, 404);
});

test('create a 2-of-3 wallet from three devices; sidebar, overview and tabs show it', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  await standardSetup(t, client);
  const wallet = await t.specter.walletManager.get('cold');
  assert.equal(wallet.descriptor.policy, '2 of 3');
  assert.equal(wallet.descriptor.scriptType, 'wsh');
  assert.deepEqual(wallet.devices, ['abandon', 'legal', 'letter']);

  const overview = await client.get('/spc/wallets/');
  assert.match(overview.body, /data-wallet="cold"[\s\S]*Cold[\s\S]*2 of 3 multisig/);
  // Sidebar: wallet with policy, devices with key count and type icon, the two add buttons.
  assert.match(overview.body, /href="\/spc\/wallets\/cold\/"[\s\S]*?<span class="ellipsis" title="Cold">Cold<\/span><small>2 of 3 multisig<\/small>/);
  assert.match(
    overview.body,
    /<img src="\/static\/img\/devices\/coldcard_icon.svg"[^>]*><span class="sidebar-text"><span class="ellipsis" title="Abandon">Abandon<\/span><small>2 keys/,
  );
  assert.match(overview.body, /href="\/spc\/wallets\/new">\+ Add new wallet/);
  assert.match(overview.body, /href="\/spc\/devices\/new">\+ Add new device/);

  const addresses = await client.follow(await client.get('/spc/wallets/cold/'));
  assert.equal(addresses.statusCode, 200);
  const tabs = [...addresses.body.matchAll(/<a class="tab[^"]*" href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => m[2]);
  assert.deepEqual(tabs, ['History', 'Addresses', 'Receive', 'Send', 'UTXOs', 'Settings']);
  assert.match(addresses.body, /bc1qm43n7nnev58aj3nrznz2xscgv98t7gxycq5pmp20a5vzfp5t0q2s7r6twa/, 'address #0 of the 2-of-3');

  // Invalid multisig requests: one device, threshold above n, a device without a wsh key.
  const before = await snapshot(t.dataFolder);
  for (const [form, message] of [
    [{ name: 'M', threshold: '1', devices: 'abandon' }, /at least two devices/],
    [{ name: 'M', threshold: '3', devices: 'abandon,legal' }, /threshold must be a whole number from 1 to 2/],
    [{ name: 'Cold', threshold: '2', devices: 'abandon,legal' }, /already exists/],
    [{ name: 'M', threshold: '2', devices: 'abandon,abandon' }, /selected twice/],
    [{ name: 'M', threshold: '2', devices: 'abandon,legal', script_type: 'tr' }, /not offered for multisig/],
  ] as const) {
    const res = await client.post('/spc/wallets/new/multisig', { script_type: 'wsh', ...form });
    // A taken name is a conflict (409); everything else is bad input (400).
    assert.equal(res.statusCode, form.name === 'Cold' ? 409 : 400, JSON.stringify(form));
    assert.match(errorOf(res), message);
  }
  const single = await client.post('/spc/wallets/new/singlesig', { name: 'S', device: 'legal', script_type: 'wpkh' });
  assert.equal(single.statusCode, 400);
  assert.match(errorOf(single), /no key for Segwit \(P2WPKH\) single-key wallets/);
  assert.doesNotMatch(errorOf(single), /\bwpkh\b/, 'the message names the script type in words');
  assert.deepEqual(await snapshot(t.dataFolder), before);

  const ok = await client.post('/spc/wallets/new/singlesig', { name: 'Spending', device: 'abandon', script_type: 'wpkh' });
  assert.equal(ok.headers.location, '/spc/wallets/spending/receive/');
  assert.equal(receiveAddress(await client.follow(ok)), 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'BIP-84 vector');
});

test('import from a descriptor and from a Specter backup; export backup and descriptor', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  const descriptor = `wpkh(${XPUB_84}/0/*)`;
  const noName = await client.post('/spc/wallets/new/import', { name: '', data: descriptor });
  assert.equal(noName.statusCode, 400);
  assert.match(errorOf(noName), /name is empty/);
  const bad = await client.post('/spc/wallets/new/import', { name: 'X', data: 'wpkh([73c5da0a/84h/0h/0h]xpub6GARBAGE/0/*)' });
  assert.equal(bad.statusCode, 400);
  assert.match(errorOf(bad), /base58check/);

  const imported = await client.post('/spc/wallets/new/import', { name: 'Imported', data: descriptor });
  assert.equal(imported.statusCode, 302, errorOf(imported));
  const backupRes = await client.get('/spc/wallets/imported/backup.json');
  assert.equal(backupRes.statusCode, 200);
  assert.match(String(backupRes.headers['content-disposition']), /attachment; filename="imported-backup.json"/);
  const backup = JSON.parse(backupRes.body);
  assert.equal(backup.label, 'Imported');
  assert.match(backup.descriptor, /^wpkh\(\[73c5da0a\/84h\/0h\/0h\]xpub6CatWdiZ.*\/0\/\*\)#[a-z0-9]{8}$/);

  const settings = await client.get('/spc/wallets/imported/settings/');
  assert.match(unescapeHtml(settings.body), /wpkh\(\[73c5da0a\/84h\/0h\/0h\]xpub6CatWdiZ[^<]*\/<0;1>\/\*\)#/);
  assert.match(settings.body, /Download backup \(JSON\)/);

  // The same wallet again is refused, naming the existing one; once that is deleted, the backup
  // imports under another name (the device exists already).
  const dup = await client.post('/spc/wallets/new/import', { name: 'From backup', data: JSON.stringify({ ...backup }) });
  assert.equal(dup.statusCode, 409, 'the same wallet twice is a conflict');
  assert.match(errorOf(dup), /already have this wallet: "Imported"/);
  assert.match(dup.body, /href="\/spc\/wallets\/imported\/" class="existing-link">Open the existing wallet/, 'the error links the existing wallet');
  await t.specter.walletManager.remove('imported');
  const again = await client.post('/spc/wallets/new/import', { name: 'From backup', data: JSON.stringify({ ...backup }) });
  assert.equal(again.statusCode, 302, errorOf(again));
  const w = await t.specter.walletManager.get('from-backup');
  assert.equal(w.descriptor.receiveDescriptor, backup.descriptor);

  // Testnet key into a mainnet descriptor context: refused with the network named.
  const tn = await client.post('/spc/wallets/new/import', { name: 'TN', data: `sh(multi(1,${KEY.abandon}/0/*,[73c5da0a/84h/1h/0h]${TPUB_84}/0/*))` });
  assert.equal(tn.statusCode, 400);
  assert.match(errorOf(tn), /network|testnet|mainnet/i);
});

test('receive: QR, label edit, "Get new address" skips reserved addresses; associate, release, delete', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.activate('admin', 'notes');
  const client = await uiClient(t);
  await standardSetup(t, client);
  const wallet = await t.specter.walletManager.get('cold');
  const notes = reservationsOf(t, 'notes');

  const receive = await client.get('/spc/wallets/cold/receive/');
  assert.equal(receive.statusCode, 200);
  assert.equal(receiveAddress(receive), await wallet.getAddress(0));
  assert.match(receive.body, /<div class="qr" role="img" aria-label="QR code of the address [^"]+"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(receive.body, /Address #0/);

  const label = await client.post(`/spc/wallets/cold/address/${await wallet.getAddress(0)}/label`, { label: 'From Alice', next: 'receive' });
  assert.equal(label.headers.location, '/spc/wallets/cold/receive/');
  const labelled = await client.follow(label);
  assert.match(labelled.body, /From Alice/);
  assert.equal(wallet.getAddressInfo(await wallet.getAddress(0)).label, 'From Alice');

  // Reserve #1 and #2 for notes (an extension API call): Get new address jumps to #3.
  await notes.reserveAddress('cold', await wallet.getAddress(1));
  await notes.reserveAddress('cold', await wallet.getAddress(2));
  const next = await client.follow(await client.post('/spc/wallets/cold/receive/', { action: 'newaddress' }));
  assert.equal(receiveAddress(next), await wallet.getAddress(3));
  assert.match(next.body, /Address #3/);

  // Addresses tab: the reserved ones carry the extension's icon and name.
  const list = await client.get('/spc/wallets/cold/addresses/');
  const row1 = list.body.slice(list.body.indexOf('data-index="1"'), list.body.indexOf('data-index="2"'));
  assert.match(row1, /data-service="notes"><img src="\/spc\/ext\/notes\/static\/notes\/img\/icon.svg"[^>]*><span>Notes<\/span>/);
  assert.match(row1, /Reserved for Notes/);

  // Associate #4 by hand through the detail page's form, then release it.
  const a4 = await wallet.getAddress(4);
  const detail = await client.get(`/spc/wallets/cold/address/${a4}`);
  assert.match(
    detail.body,
    /<label for="service-id">Plugin<\/label>\s*<select id="service-id" name="service_id" required>\s*<option value="notes">Notes<\/option>/,
  );
  const assoc = await client.post(`/spc/wallets/cold/address/${a4}/associate`, { service_id: 'notes' });
  assert.equal(assoc.statusCode, 302);
  assert.equal(wallet.getAddressInfo(a4).serviceId, 'notes');
  assert.equal(wallet.getAddressInfo(a4).label, 'Reserved for Notes');
  const notActive = await client.post(`/spc/wallets/cold/address/${await wallet.getAddress(5)}/associate`, { service_id: 'gatekeeper' });
  assert.match(flashes(await client.follow(notActive)).join(), /not active for you/);
  assert.equal(wallet.getAddressInfo(await wallet.getAddress(5)).serviceId, null);

  const associated = await client.get(`/spc/wallets/cold/address/${a4}`);
  assert.match(associated.body, /Associated plugin/);
  assert.match(associated.body, /Release from Notes/);
  const release = await client.post(`/spc/wallets/cold/address/${a4}/release`);
  assert.match(flashes(await client.follow(release)).join(), /released from Notes/);
  assert.equal(wallet.getAddressInfo(a4).serviceId, null);
  assert.equal(wallet.getAddressInfo(a4).label, 'Address #4', 'the reservation label is gone');

  // Unknown address and wallet: 404 pages.
  assert.equal((await client.get('/spc/wallets/cold/address/bc1qnotmine0000000000000000000000000000000')).statusCode, 404);
  assert.equal((await client.get('/spc/wallets/nope/receive/')).statusCode, 404);

  // Delete with confirmation.
  assert.match((await client.get('/spc/wallets/cold/delete')).body, /Delete wallet "Cold"\?/);
  const del = await client.post('/spc/wallets/cold/delete', { confirm: 'yes' });
  assert.equal(del.headers.location, '/spc/wallets/');
  assert.equal((await client.get('/spc/wallets/cold/addresses/')).statusCode, 404);
});

test('addresses list: receive/change switch, page size, sorting by label and used', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  const client = await uiClient(t);
  await standardSetup(t, client);
  const wallet = await t.specter.walletManager.get('cold');
  await wallet.setLabel(await wallet.getAddress(7), 'aaa first by label');
  await wallet.setUsed(await wallet.getAddress(5), true);
  const rowsOf = (html: string) => [...html.matchAll(/<tr class="[^"]*" data-index="(\d+)">/g)].map((m) => Number(m[1]));

  const page1 = await client.get('/spc/wallets/cold/addresses/?size=10');
  assert.deepEqual(rowsOf(page1.body), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.match(page1.body, /<label for="page-size">Per page<\/label>/);
  const page2 = await client.get('/spc/wallets/cold/addresses/?size=10&page=2');
  assert.equal(rowsOf(page2.body)[0], 10);
  const desc = await client.get('/spc/wallets/cold/addresses/?size=10&sort=index&dir=desc');
  assert.equal(rowsOf(desc.body)[0], wallet.toJSON().keypool - 1);
  const byLabel = await client.get('/spc/wallets/cold/addresses/?size=10&sort=label');
  assert.equal(rowsOf(byLabel.body)[0], 7);
  const byUsed = await client.get('/spc/wallets/cold/addresses/?size=10&sort=used&dir=desc');
  assert.equal(rowsOf(byUsed.body)[0], 5);
  const change = await client.get('/spc/wallets/cold/addresses/?change=1&size=10');
  assert.match(change.body, /aria-current="page">Change</);
  assert.notEqual(change.body.match(/class="addr"[^>]*>([^<]+)</)![1], page1.body.match(/class="addr"[^>]*>([^<]+)</)![1]);
  // A hand-edited URL falls back to defaults instead of failing.
  assert.equal((await client.get('/spc/wallets/cold/addresses/?size=7&page=x&sort=evil')).statusCode, 200);
});

test('overview view model goes through adjust_view_model; extension wallet tabs get the wallet frame', async (ctx) => {
  const t = await createTestSpecter({ extensions: [walletFixture('overview_vm')] });
  ctx.after(() => t.close());
  await t.activate('admin', 'overview_vm');
  const client = await uiClient(t);
  await standardSetup(t, client);
  await t.specter.walletManager.importDescriptor(`wpkh(${XPUB_84}/0/*)`, { name: 'Hidden one' });
  const overview = await client.get('/spc/wallets/');
  assert.match(overview.body, /id="vm-tx-table"[\s\S]*1 shown/);
  assert.doesNotMatch(overview.body, /data-wallet="hidden_one"/);

  const addresses = await client.get('/spc/wallets/cold/addresses/');
  const tabs = [...addresses.body.matchAll(/<a class="tab[^"]*" href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[2], m[1]]);
  assert.deepEqual(
    tabs.map((x) => x[0]),
    ['History', 'Addresses', 'Receive', 'Send', 'UTXOs', 'VM tab', 'Settings'],
  );
  assert.equal(tabs[5]![1], '/spc/ext/overview_vm/wallet/cold/');
  const tab = await client.get('/spc/ext/overview_vm/wallet/cold/');
  assert.equal(tab.statusCode, 200);
  assert.match(tab.body, /<h1>Cold<\/h1>/);
  assert.match(tab.body, /class="tab active" href="\/spc\/ext\/overview_vm\/wallet\/cold\/" aria-current="page">VM tab/);
  assert.match(tab.body, /id="vm-tab">Tab for cold/);
});

test('wallet pages need a login', async (ctx) => {
  const t = await createTestSpecter();
  ctx.after(() => t.close());
  await t.setAuth('passwordonly', 'a long password');
  const anon = t.client();
  for (const url of ['/spc/wallets/', '/spc/devices/', '/spc/devices/new', '/spc/wallets/new']) {
    const res = await anon.get(url);
    assert.equal(res.statusCode, 302, url);
    assert.match(String(res.headers.location), /\/spc\/auth\/login/);
  }
  const forged = await anon.request('POST', '/spc/devices/new', { form: { name: 'x', type: 'generic', keys: KEY.abandon } });
  assert.notEqual(forged.statusCode, 200);
  assert.equal((await t.specter.deviceManager.list()).length, 0);
});

test('device types registered by extensions join the picker and can be chosen', async (ctx) => {
  const t = await createTestSpecter({ extensions: [await fixturePackage('typer')] });
  ctx.after(() => t.close());
  const abacus = t.specter.deviceManager.types.get('abacus');
  const client = await uiClient(t);
  const form = await client.get('/spc/devices/new');
  assert.match(form.body, new RegExp(`data-type="abacus"[\\s\\S]*?<img src="${abacus.icon}"[\\s\\S]*?<span>Abacus</span>`));
  const res = await client.post('/spc/devices/new', { name: 'Counting frame', type: 'abacus', keys: KEY.abandon });
  assert.equal(res.statusCode, 302, errorOf(res));
  const page = await client.follow(res);
  assert.match(page.body, new RegExp(`<img class="head-icon" src="${abacus.icon}"`));
  assert.match(page.body, /Abacus · 1 key/);
});
