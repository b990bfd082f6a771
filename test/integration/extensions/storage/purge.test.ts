import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createTestSpecter, TEST_DESCRIPTORS } from '../../../../src/testing/index.js';
import { ServiceAnnotationsStorage } from '../../../../src/extensions/storage/index.js';
import { exists, PLAIN_PAGE, readJson, SECRET_PAGE, storageFixtures, WALLET_DESCRIPTOR } from './helpers.js';

const PASSWORD = 'purge password';
const ADDR = 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu';

test('remove and delete data: confirmation names the files; after it the extension is inactive and its data gone from both stores and the wallet annotations', async (ctx) => {
  const t = await createTestSpecter({ extensions: await storageFixtures() });
  ctx.after(() => t.close());
  await t.setAuth('usernamepassword', PASSWORD);
  await t.specter.userManager.addUser('alice', 'alice password');
  for (const user of ['admin', 'alice']) {
    await t.activate(user, 'storage_secret');
    await t.activate(user, 'storage_plain');
  }
  const client = await t.login(PASSWORD, 'admin');
  assert.equal((await client.post(`${SECRET_PAGE}store`, { value: 'to be deleted' })).statusCode, 302);
  assert.equal((await client.post(`${PLAIN_PAGE}store`, { value: 'stays' })).statusCode, 302);
  const alice = await t.login('alice password', 'alice');
  assert.equal((await alice.post(`${SECRET_PAGE}store`, { value: 'alice keeps hers' })).statusCode, 302);
  // An entry of the same extension in the other store too (e.g. written before it set encryptData).
  const storage = t.specter.services.storage;
  await storage.forUser(t.specter.userManager.admin).set('storage_secret', false, { legacy: 'plain copy' });

  const wallets = t.specter.walletManager;
  await wallets.importDescriptor(WALLET_DESCRIPTOR, { name: 'Purge Wallet' });
  const alias = (await wallets.list())[0]!.alias;
  const open = (serviceId: string) =>
    ServiceAnnotationsStorage.open({ walletsFolder: wallets.walletsFolder, walletAlias: alias, serviceId, store: t.specter.store });
  const mine = await open('storage_secret');
  await mine.setAddrAnnotations(ADDR, { label: 'secret label' });
  await mine.setAddrAnnotations(ADDR, { label: 'secret label, edited' }); // leaves a .bkp
  const theirs = await open('storage_plain');
  await theirs.setAddrAnnotations(ADDR, { label: 'plain label' });
  assert.ok(await exists(mine.path));

  const files = storage.filesOf('admin');
  assert.ok(Object.hasOwn((await readJson(files.encrypted))!, 'storage_secret'));
  assert.ok(Object.hasOwn((await readJson(files.unencrypted))!, 'storage_secret'));

  // The card offers the action; the link leads to a confirmation page naming what goes.
  const choose = await client.get('/spc/plugins/choose');
  assert.match(
    choose.body,
    /<article class="card plugin-card" data-ext="storage_secret"[^>]*>[\s\S]*?href="\/spc\/plugins\/storage_secret\/purge"[^>]*>Remove and delete data<\/a>/,
  );
  const confirm = await client.get('/spc/plugins/storage_secret/purge');
  assert.equal(confirm.statusCode, 200);
  assert.match(confirm.body, /<h1 class="page-title">Remove "Secret Store" and delete its data\?<\/h1>/);
  assert.match(confirm.body, /will be deactivated for you/);
  assert.match(confirm.body, /<code>services\.json<\/code> and <code>unencrypted_services\.json<\/code>/);
  assert.match(confirm.body, new RegExp(`<code>${alias}_storage_secret\\.json</code>`));
  assert.doesNotMatch(confirm.body, /storage_plain\.json/);
  assert.doesNotMatch(confirm.body, /alice/, "only this user's files");
  assert.ok(t.specter.userManager.admin.hasService('storage_secret'), 'asking changes nothing');

  const url = '/spc/plugins/storage_secret/purge';
  const forged = await client.request('POST', url, { form: { confirm: 'yes' } });
  assert.equal(forged.statusCode, 403, 'CSRF protected');
  const unconfirmed = await client.post(url, {});
  assert.equal(unconfirmed.statusCode, 302);
  assert.equal(unconfirmed.headers.location, url, 'without confirm=yes it asks again');
  assert.ok(t.specter.userManager.admin.hasService('storage_secret'));
  assert.ok(await exists(mine.path));

  await client.get(url);
  const done = await client.post(url, { confirm: 'yes' });
  assert.equal(done.statusCode, 302, done.body);
  assert.equal(done.headers.location, '/spc/plugins/choose');

  const admin = t.specter.userManager.admin;
  assert.equal(admin.hasService('storage_secret'), false, 'deactivated');
  assert.ok(admin.record.services_removed?.includes('storage_secret'));
  assert.ok(admin.hasService('storage_plain'), 'other extensions stay active');
  for (const file of [files.encrypted, files.unencrypted]) {
    for (const version of [file, `${file}.bkp`]) {
      const content = await readJson(version);
      assert.equal(content !== undefined && Object.hasOwn(content, 'storage_secret'), false, `${path.basename(version)} no longer holds it`);
    }
  }
  assert.deepEqual(JSON.parse(String((await readJson(files.unencrypted))?.storage_plain)), { value: 'stays' });
  assert.equal(await exists(mine.path), false, 'the annotation file is deleted');
  assert.equal(await exists(`${mine.path}.bkp`), false, 'and its backup');
  assert.ok(await exists(theirs.path), "another extension's annotations stay");
  // Alice's data of the extension is hers: untouched.
  assert.ok(Object.hasOwn((await readJson(storage.filesOf('alice').encrypted))!, 'storage_secret'));
  assert.ok(t.specter.userManager.require('alice').hasService('storage_secret'));
  assert.match((await alice.get(SECRET_PAGE)).body, /alice keeps hers/);

  const after = await client.follow(done);
  assert.match(after.body, /<article class="card plugin-card" data-ext="storage_secret"[^>]*>[\s\S]*?Activate Secret Store/);
  assert.equal((await client.get(SECRET_PAGE)).statusCode, 404, 'no longer active');
  await t.activate('admin', 'storage_secret');
  assert.match((await client.get(SECRET_PAGE)).body, /\(nothing stored\)/, 'activated again, it starts empty');

  assert.equal((await client.get('/spc/plugins/nosuchext/purge')).statusCode, 404);
});

test('a purge never deletes another wallet\'s files (wallet "x" + extension "y" vs wallet "x y")', async (ctx) => {
  const t = await createTestSpecter({ extensions: await storageFixtures() });
  ctx.after(() => t.close());
  await t.activate('admin', 'storage_plain');
  const wallets = t.specter.walletManager;
  const owner = await wallets.importDescriptor(WALLET_DESCRIPTOR, { name: 'Collide' });
  // With "_" this would be "collide_storage_plain", the annotation file name of wallet "collide";
  // aliases never contain "_", so the two can no longer meet.
  const victim = await wallets.importDescriptor(TEST_DESCRIPTORS.multisig2of3, { name: 'Collide storage plain' });
  assert.equal(victim.alias, `${owner.alias}-storage-plain`);
  const other = await wallets.importDescriptor(TEST_DESCRIPTORS.multisig2of3.replace('sortedmulti(2,', 'sortedmulti(1,'), { name: 'Other' });
  const annotations = await ServiceAnnotationsStorage.open({
    walletsFolder: wallets.walletsFolder,
    walletAlias: other.alias,
    serviceId: 'storage_plain',
    store: t.specter.store,
  });
  await annotations.setAddrAnnotations(ADDR, { label: 'goes' });

  const client = t.client();
  const confirm = await client.get('/spc/plugins/storage_plain/purge');
  assert.equal(confirm.statusCode, 200);
  assert.doesNotMatch(confirm.body, new RegExp(`${victim.alias}\\.json`), 'the wallet definition is not offered for deletion');
  const done = await client.post('/spc/plugins/storage_plain/purge', { confirm: 'yes' });
  assert.equal(done.statusCode, 302, done.body);

  assert.ok(await exists(victim.files.record), "the other wallet's definition is still there");
  assert.equal((await wallets.get(victim.alias)).name, 'Collide storage plain');
  assert.equal(await exists(annotations.path), false, 'real annotation files still go');
});
