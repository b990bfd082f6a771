import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createTestSpecter, type TestSpecter } from '../../../../src/testing/index.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import { reservationsOf } from '../../../helpers/reservations.js';
import { receiveAddress, standardSetup, uiClient } from './helpers.js';

async function setup(): Promise<{ t: TestSpecter; notes: ReturnType<typeof reservationsOf>; client: Awaited<ReturnType<typeof uiClient>> }> {
  const t = await createTestSpecter();
  await t.activate('admin', 'notes');
  const client = await uiClient(t);
  await standardSetup(t, client);
  return { t, notes: reservationsOf(t, 'notes'), client };
}

const annotationFile = (t: TestSpecter, ext: string) => path.join(t.specter.walletManager.walletsFolder, `cold_${ext}.json`);

test("the seed's interleaving example: #0 used, receive index 1 → reserving 3 gives #2, #4, #6", async () => {
  const { t, notes, client } = await setup();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    const at = async (i: number) => wallet.getAddress(i);
    await wallet.setUsed(await at(0), true);
    assert.equal(await wallet.recomputeReceiveIndex(), 1);

    const reserved = await notes.reserveAddresses('cold', { numAddresses: 3, annotations: { order: 'A-1' } });
    assert.deepEqual(reserved, [await at(2), await at(4), await at(6)]);
    for (const i of [2, 4, 6]) {
      const info = wallet.getAddressInfo(await at(i));
      assert.equal(info.serviceId, 'notes');
      assert.equal(info.label, 'Reserved for Notes');
    }
    for (const i of [1, 3, 5, 7]) assert.equal(wallet.getAddressInfo(await at(i)).serviceId, null, `#${i} stays free`);
    const file = JSON.parse(await readFile(annotationFile(t, 'notes'), 'utf8'));
    assert.deepEqual(Object.keys(file.addrs).sort(), [await at(2), await at(4), await at(6)].sort());
    assert.deepEqual(file.addrs[await at(4)], { order: 'A-1' });

    // Enough reserved: nothing new, and (unlike Specter's []) all of them come back.
    assert.deepEqual(await notes.reserveAddresses('cold', { numAddresses: 3 }), reserved);
    // Topping up continues two after the last one.
    const five = await notes.reserveAddresses('cold', { numAddresses: 5, label: 'Shop' });
    assert.deepEqual(five, [...reserved, await at(8), await at(10)]);
    assert.equal(wallet.getAddressInfo(await at(8)).label, 'Shop');

    // "Get new address" from the Receive tab never returns a reserved one.
    const seen: number[] = [];
    let page = await client.get('/spc/wallets/cold/receive/');
    seen.push(wallet.getAddressInfo(receiveAddress(page)).index);
    for (let i = 0; i < 7; i++) {
      page = await client.follow(await client.post('/spc/wallets/cold/receive/', { action: 'newaddress' }));
      seen.push(wallet.getAddressInfo(receiveAddress(page)).index);
    }
    assert.deepEqual(seen, [1, 3, 5, 7, 9, 11, 12, 13]);

    // unreserveAddresses frees the unused ones and drops their annotations; a used one stays.
    await wallet.setUsed(await at(2), true);
    const released = await notes.unreserveAddresses('cold');
    assert.deepEqual(released, [await at(4), await at(6), await at(8), await at(10)]);
    assert.equal(wallet.getAddressInfo(await at(4)).serviceId, null);
    assert.equal(wallet.getAddressInfo(await at(4)).label, 'Address #4');
    assert.equal(wallet.getAddressInfo(await at(2)).serviceId, 'notes', 'used addresses keep their association');
    const after = JSON.parse(await readFile(annotationFile(t, 'notes'), 'utf8'));
    assert.deepEqual(Object.keys(after.addrs), [await at(2)]);
  } finally {
    await t.close();
  }
});

test("reservations start after the receive index, skip used and reserved, and never take another extension's address", async () => {
  const { t, notes } = await setup();
  try {
    const other = reservationsOf(t, 'autowithdraw'); // another extension's reservations (no need to activate it)
    const wallet = await t.specter.walletManager.get('cold');
    const at = async (i: number) => wallet.getAddress(i);
    await wallet.getNewAddress();
    await wallet.getNewAddress(); // receive index 2
    await wallet.setUsed(await at(5), true);
    await other.reserveAddress('cold', await at(7));
    assert.deepEqual(await notes.reserveAddresses('cold', { numAddresses: 3 }), [await at(3), await at(9), await at(11)]);

    await assert.rejects(
      notes.reserveAddress('cold', await at(7)),
      (err) => isSpecterError(err, 'VALIDATION') && /reserved for the extension "autowithdraw"/.test(err.message),
    );
    // Reserving one explicitly uses the default label; a used address may be associated too.
    const info = await notes.reserveAddress('cold', await at(5), 'Paid by card');
    assert.equal(info.label, 'Paid by card');
    assert.equal(info.used, true);
    // Numbers are checked.
    await assert.rejects(notes.reserveAddresses('cold', { numAddresses: 1001 }), (err) => isSpecterError(err, 'LIMIT_EXCEEDED'));
    await assert.rejects(notes.reserveAddresses('cold', { numAddresses: -1 }), (err) => isSpecterError(err, 'VALIDATION'));
  } finally {
    await t.close();
  }
});

test('unknown wallet → WALLET_NOT_FOUND for every reservation method; nothing is written', async () => {
  const { t, notes } = await setup();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    const addr = await wallet.getAddress(3);
    await assert.rejects(notes.reserveAddress('nope', addr), (err) => isSpecterError(err, 'WALLET_NOT_FOUND'));
    await assert.rejects(notes.reserveAddresses('nope', { numAddresses: 2, annotations: { a: 1 } }), (err) =>
      isSpecterError(err, 'WALLET_NOT_FOUND'),
    );
    await assert.rejects(notes.unreserveAddresses('nope'), (err) => isSpecterError(err, 'WALLET_NOT_FOUND'));
    await assert.rejects(notes.reserveAddress('cold', 'bc1qnotinthiswallet00000000000000000000000'), (err) =>
      isSpecterError(err, 'ADDRESS_NOT_FOUND'),
    );
    assert.deepEqual(wallet.getAssociatedAddresses('notes'), []);
  } finally {
    await t.close();
  }
});

test("release from the address page drops that extension's annotation; wallet deletion removes annotation files", async () => {
  const { t, notes, client } = await setup();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    const [first, second] = await notes.reserveAddresses('cold', { numAddresses: 2, annotations: { invoice: 'INV-7', amount: { sat: 1500 } } });
    const detail = await client.get(`/spc/wallets/cold/address/${first}`);
    assert.match(detail.body, /<td>invoice<\/td><td>INV-7<\/td>/);
    assert.match(detail.body, /<td>amount<\/td><td>\{&quot;sat&quot;:1500\}<\/td>/);
    await client.post(`/spc/wallets/cold/address/${first}/release`);
    const file = JSON.parse(await readFile(annotationFile(t, 'notes'), 'utf8'));
    assert.deepEqual(Object.keys(file.addrs), [second]);
    assert.equal(wallet.getAddressInfo(first!).serviceId, null);

    await client.post('/spc/wallets/cold/delete', { confirm: 'yes' });
    await assert.rejects(readFile(annotationFile(t, 'notes'), 'utf8'), { code: 'ENOENT' });
  } finally {
    await t.close();
  }
});
