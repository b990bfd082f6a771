import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import { createLogger } from '../../../../src/log/index.js';
import { AddressJournal, COMPACT_MIN_BYTES } from '../../../../src/managers/wallets/address-journal.js';
import type { AddressEntry, AddressesFile } from '../../../../src/managers/wallets/wallet-record.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';

const entry = (index: number, label: string | null = null): AddressEntry => ({
  index,
  address: `bc1qaddress${index}`,
  label,
  used: false,
  service_id: null,
});
const list = (n: number): AddressesFile => ({ receive: Array.from({ length: n }, (_, i) => entry(i)), change: [entry(0)] });

async function setup(t: import('node:test').TestContext) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'journal-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new JsonFileStore({ logger: createLogger({ level: 'silent' }) });
  const file = path.join(dir, 'w_addresses.json');
  return { store, file, journal: () => new AddressJournal(store, file) };
}

test('a change costs one appended line, not a rewrite of the list', async (t) => {
  const { file, journal } = await setup(t);
  const j = journal();
  const whole = list(1000);
  await j.compact(whole);
  const snapshot = await readFile(file, 'utf8');
  whole.receive[500]!.label = 'Rent';
  await j.save([{ change: false, entries: [whole.receive[500]!] }], () => whole);
  assert.equal(await readFile(file, 'utf8'), snapshot, 'the snapshot is not rewritten');
  const log = await readFile(j.logPath, 'utf8');
  assert.equal(log.split('\n').length, 2, 'one line');
  assert.ok(log.length < 200, `${log.length} bytes`);
  const read = (await journal().read())!;
  assert.equal(read.receive[500]!.label, 'Rent');
  assert.equal(read.receive.length, 1000);
});

test('new entries extend the list; the journal is compacted once it outgrows the snapshot', async (t) => {
  const { file, journal } = await setup(t);
  const j = journal();
  const whole = list(10);
  await j.compact(whole);
  let compactions = 0;
  let size = (await stat(file)).size;
  for (let round = 0; round < 200; round++) {
    const added = Array.from({ length: 50 }, (_, i) => entry(whole.receive.length + i));
    whole.receive.push(...added);
    await j.save([{ change: false, entries: added }], () => whole);
    const now = (await stat(file)).size;
    if (now !== size) compactions++;
    size = now;
  }
  assert.ok(compactions >= 2 && compactions <= 12, `${compactions} compactions for 200 saves (amortised, not one per save)`);
  const read = (await journal().read())!;
  assert.equal(read.receive.length, 10 + 200 * 50);
  assert.ok(read.receive.every((e, i) => e.index === i));
  assert.ok(COMPACT_MIN_BYTES > 0);
});

test('a torn last line (a save cut off by kill -9) is skipped, and the next save starts a clean journal', async (t) => {
  const { journal } = await setup(t);
  const j = journal();
  const whole = list(5);
  await j.compact(whole);
  whole.receive[1]!.label = 'kept';
  await j.save([{ change: false, entries: [whole.receive[1]!] }], () => whole);
  await appendFile(j.logPath, '{"c":0,"e":[{"index":2,"address":"bc1qaddress2","lab');
  const again = journal();
  const read = (await again.read())!;
  assert.equal(read.receive[1]!.label, 'kept');
  assert.equal(read.receive[2]!.label, null, 'the torn save never happened');
  read.receive[3]!.label = 'after';
  await again.save([{ change: false, entries: [read.receive[3]!] }], () => read);
  const final = (await journal().read())!;
  assert.equal(final.receive[1]!.label, 'kept');
  assert.equal(final.receive[3]!.label, 'after');
});

test('a damaged line in the middle is an error naming the file and line, never skipped', async (t) => {
  const { journal } = await setup(t);
  const j = journal();
  await j.compact(list(3));
  await writeFile(j.logPath, '{"c":0,"e":[{"index":0,"address":"bc1qaddress0","label":"a"}]}\nnot json\n{"c":0,"e":[{"index":1,"address":"x"}]}\n');
  await assert.rejects(
    journal().read(),
    (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT') && /line 2/.test(err.message) && err.message.includes('w_addresses.log'),
  );
  await writeFile(j.logPath, '{"c":0,"e":[{"index":9,"address":"bc1q"}]}\n');
  await assert.rejects(journal().read(), (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT') && /gap/.test(err.message));
});
