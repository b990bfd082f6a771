import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestSpecter, type TestClient, type TestSpecter } from '../../../../src/testing/index.js';
import { createAddressDeriver } from '../../../../src/bitcoin/index.js';
import { MAX_IMPORT_TEXT } from '../../../../src/managers/wallets/index.js';
import { errorOf, flashes, snapshot, standardSetup, uiClient, unescapeHtml } from './helpers.js';

const TXID = 'f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd';
/** An address of another wallet (BIP-84 "abandon" #0). */
const FOREIGN = 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu';

async function setUp(): Promise<{ t: TestSpecter; client: TestClient; addr: (i: number, change?: boolean) => Promise<string> }> {
  const t = await createTestSpecter();
  const client = await uiClient(t);
  await standardSetup(t, client);
  const wallet = await t.specter.walletManager.get('cold');
  return { t, client, addr: (i, change = false) => wallet.getAddress(i, change) };
}

/** The labels-import textarea's content on a re-rendered Settings page. */
function pastedText(body: string): string {
  const m = /<textarea id="labels-data"[^>]*>([\s\S]*?)<\/textarea>/.exec(body);
  assert.ok(m, 'no labels textarea on the page');
  return unescapeHtml(m[1]!);
}

test('labels export in each format and import back: a round trip restores them', async () => {
  const { t, client, addr } = await setUp();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    const expected = [
      { address: await addr(0), label: 'From Alice' },
      { address: await addr(2), label: 'From Alice' },
      { address: await addr(5), label: 'Rent, "March" ✓' },
      { address: await addr(1, true), label: 'Change of payment 7' },
    ];
    for (const { address, label } of expected) await wallet.setLabel(address, label);

    const settings = await client.get('/spc/wallets/cold/settings/');
    assert.match(settings.body, /4 addresses of this wallet have labels/);
    for (const f of ['specter', 'electrum', 'bip329'])
      assert.match(settings.body, new RegExp(`href="/spc/wallets/cold/labels/export\\?format=${f}" download`));

    const files: Record<string, { name: string; type: RegExp; check: (body: string) => void }> = {
      specter: {
        name: 'cold-labels.json',
        type: /^application\/json/,
        check: (b) =>
          assert.deepEqual(JSON.parse(b), {
            labels: {
              'From Alice': [expected[0]!.address, expected[1]!.address],
              'Rent, "March" ✓': [expected[2]!.address],
              'Change of payment 7': [expected[3]!.address],
            },
          }),
      },
      electrum: {
        name: 'cold-labels-electrum.json',
        type: /^application\/json/,
        check: (b) => assert.deepEqual(JSON.parse(b), Object.fromEntries(expected.map((e) => [e.address, e.label]))),
      },
      bip329: {
        name: 'cold-labels.jsonl',
        type: /^application\/jsonl/,
        check: (b) =>
          assert.deepEqual(
            b
              .trimEnd()
              .split('\n')
              .map((l) => JSON.parse(l)),
            expected.map((e) => ({ type: 'addr', ref: e.address, label: e.label })),
          ),
      },
    };
    for (const [format, spec] of Object.entries(files)) {
      const res = await client.get(`/spc/wallets/cold/labels/export?format=${format}`);
      assert.equal(res.statusCode, 200, format);
      assert.match(String(res.headers['content-type']), spec.type, format);
      assert.equal(res.headers['content-disposition'], `attachment; filename="${spec.name}"`);
      spec.check(res.body);

      // Clear every label, import the file (format detected), and they are back.
      for (const { address } of expected) await wallet.setLabel(address, null);
      assert.deepEqual(wallet.customLabels(), []);
      const imported = await client.post('/spc/wallets/cold/labels/import', { data: res.body, format: '' });
      assert.equal(imported.statusCode, 302, errorOf(imported));
      assert.equal(imported.headers.location, '/spc/wallets/cold/settings/#labels');
      assert.deepEqual(wallet.customLabels(), expected, `${format} round trip`);
      const page = await client.follow(imported);
      assert.match(flashes(page).join(), /4 address labels read from .*: 4 set, 0 already so\./, format);
    }
    // Importing the same again changes nothing and says so.
    const again = await client.post('/spc/wallets/cold/labels/import', {
      data: (await client.get('/spc/wallets/cold/labels/export?format=bip329')).body,
      format: 'bip329',
    });
    assert.match(flashes(await client.follow(again)).join(), /0 set, 4 already so/);
    assert.equal((await client.get('/spc/wallets/cold/labels/export?format=csv')).statusCode, 400);
  } finally {
    await t.close();
  }
});

test("a labels import applies only this wallet's addresses and reports unknown addresses and skipped records", async () => {
  const { t, client, addr } = await setUp();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    // Receive #150 is not derived yet (keypool 20): the import looks ahead for it.
    const far = (await createAddressDeriver(wallet.descriptor).derive(0, 150, 1))[0]!;
    assert.equal(wallet.toJSON().keypool, 20);
    const text = [
      { type: 'addr', ref: await addr(3), label: 'Savings' },
      { type: 'addr', ref: far, label: 'Far away' },
      { type: 'addr', ref: FOREIGN, label: 'Not mine' },
      { type: 'tx', ref: TXID, label: 'Rent' },
      { type: 'output', ref: `${TXID}:0`, label: 'Rent output', spendable: true },
      { type: 'addr', ref: await addr(4), label: 'Address #4' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const res = await client.post('/spc/wallets/cold/labels/import', { data: text });
    assert.equal(res.statusCode, 302, errorOf(res));
    const message = flashes(await client.follow(res)).join();
    assert.match(message, /4 address labels read from BIP-329 \(JSON lines\): 2 set, 1 already so/);
    assert.match(message, new RegExp(`1 address is not in this wallet \\(${FOREIGN}\\)`));
    assert.match(message, /1 transaction label, 1 output label skipped \(only address labels are kept\)/);
    assert.equal(wallet.getAddressInfo(await addr(3)).label, 'Savings');
    assert.equal(wallet.getAddressInfo(far).label, 'Far away');
    assert.equal(wallet.getAddressInfo(far).index, 150);
    assert.equal(wallet.toJSON().keypool, 171, 'derived up to the labelled address + the gap limit, not further');
    assert.equal(wallet.getAddressInfo(await addr(4)).customLabel, null, 'a label equal to the default is stored as the default');
  } finally {
    await t.close();
  }
});

test('a bad labels file gives a clear error, keeps the pasted text and changes nothing', async () => {
  const { t, client, addr } = await setUp();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    await wallet.setLabel(await addr(0), 'Keep me');
    const good = JSON.stringify({ type: 'addr', ref: await addr(1), label: 'New' });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ data: `${good}\n{"type": "addr", "ref": "bc1q` }, /BIP-329 \(JSON lines\) labels, line 2: not valid JSON/],
      [{ data: `${good}\n${JSON.stringify({ type: 'adress', ref: await addr(2), label: 'x' })}` }, /line 2: "type" must be one of tx, addr/],
      [
        { data: `${good}\n${JSON.stringify({ type: 'addr', ref: await addr(2), label: 'y'.repeat(300) })}` },
        /line 2: the label is 300 characters long; the limit is 250/,
      ],
      [{ data: JSON.stringify({ labels: { Savings: [await addr(2), 7] } }) }, /Specter JSON labels, labels\["Savings"\]\[1\]: must be an address/],
      [{ data: JSON.stringify({ [await addr(2)]: ['x'] }) }, /Electrum JSON labels, the entry \["bc1q[^"]+"\]: must be a label \(text\)/],
      [{ data: JSON.stringify({ [await addr(2)]: 'x' }), format: 'bip329' }, /line 1: "type" must be one of/],
      [{ data: 'address,label' }, /not valid JSON/],
      [{ data: '   ' }, /The labels are empty/],
      [{ data: good, format: 'csv' }, /"csv" is not a labels format/],
      [{ data: `${good}\n${'x'.repeat(MAX_IMPORT_TEXT)}` }, /The labels file is 262,\d{3} characters long; the limit is 262,144\./],
    ];
    const before = await snapshot(t.dataFolder);
    for (const [form, message] of cases) {
      const res = await client.post('/spc/wallets/cold/labels/import', { format: '', ...form });
      assert.equal(res.statusCode, 400, form.data!.slice(0, 60));
      assert.match(errorOf(res), message);
      assert.equal(pastedText(res.body), form.data, 'the pasted text is shown again');
      if (form.format === 'bip329') assert.match(res.body, /<option value="bip329" selected>/, 'the chosen format is kept');
    }
    assert.deepEqual(await snapshot(t.dataFolder), before, 'a refused import changes no file');
    assert.deepEqual(wallet.customLabels(), [{ address: await addr(0), label: 'Keep me' }]);
  } finally {
    await t.close();
  }
});

test("the wallet backup carries the labels (Specter's {label: [addresses]}) and an import restores them", async () => {
  const { t, client, addr } = await setUp();
  const other = await createTestSpecter();
  try {
    const wallet = await t.specter.walletManager.get('cold');
    await wallet.setLabel(await addr(0), 'Alice');
    await wallet.setLabel(await addr(7), 'Alice');
    await wallet.setLabel(await addr(2, true), 'Change to self');
    const backup = JSON.parse((await client.get('/spc/wallets/cold/backup.json')).body);
    assert.deepEqual(backup.labels, { Alice: [await addr(0), await addr(7)], 'Change to self': [await addr(2, true)] });

    // Into a fresh app, through the Import form.
    const otherClient = await uiClient(other);
    const imported = await otherClient.post('/spc/wallets/new/import', { name: '', data: JSON.stringify(backup) });
    assert.equal(imported.statusCode, 302, errorOf(imported));
    const copy = await other.specter.walletManager.get('cold');
    assert.deepEqual(copy.customLabels(), wallet.customLabels());

    // A backup whose labels are bad is refused before anything is written.
    const before = await snapshot(other.dataFolder);
    const bad = await otherClient.post('/spc/wallets/new/import', {
      name: 'Bad labels',
      data: JSON.stringify({ ...backup, labels: { Alice: 'bc1q…' } }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(errorOf(bad), /labels\["Alice"\]: must be a list of addresses/);
    assert.deepEqual(await snapshot(other.dataFolder), before);
  } finally {
    await other.close();
    await t.close();
  }
});
