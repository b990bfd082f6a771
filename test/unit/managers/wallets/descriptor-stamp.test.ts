/**
 * Loading wallets without re-checking descriptors that were checked when they were saved: the
 * record's `descriptor_checked` stamp, what happens when it is missing or stale, and the address
 * file check that moves to the first derivation for stamped wallets.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DeviceManager } from '../../../../src/managers/devices/index.js';
import { WalletManager } from '../../../../src/managers/wallets/index.js';
import { descriptorStamp } from '../../../../src/managers/wallets/wallet-record.js';
import { addStandardDevices, makeEnv, rejectsWith, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  env = await makeEnv();
  await addStandardDevices(env);
});
afterEach(async () => {
  await env.cleanup();
});

const recordPath = (alias: string) => path.join(env.dir, 'wallets', `${alias}.json`);
const readRecord = async (alias: string) => JSON.parse(await readFile(recordPath(alias), 'utf8')) as Record<string, unknown>;
const fresh = () => new WalletManager(env.dir, env.store, new DeviceManager(env.dir, env.store));

describe('descriptor stamp', () => {
  it('a saved wallet carries the stamp of its network and descriptor', async () => {
    const w = await env.wallets.createMultisig({ name: 'Cold', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    const record = await readRecord(w.alias);
    assert.equal(record.descriptor_checked, descriptorStamp('main', w.descriptor.descriptor));
    assert.notEqual(record.descriptor_checked, descriptorStamp('test', w.descriptor.descriptor));
  });

  it('a record without the stamp (older files) is checked in full and stamped at load', async () => {
    const w = await env.wallets.createSingleSig({ name: 'Hot', device: 'abandon' });
    const { descriptor_checked: _, ...old } = await readRecord(w.alias);
    await writeFile(recordPath(w.alias), JSON.stringify(old));
    const loaded = await fresh().get(w.alias);
    assert.equal(loaded.descriptor.descriptor, w.descriptor.descriptor);
    assert.equal((await readRecord(w.alias)).descriptor_checked, descriptorStamp('main', w.descriptor.descriptor));
  });

  it('a descriptor changed by hand under an old stamp is checked in full: its address file no longer belongs', async () => {
    const cold = await env.wallets.createMultisig({ name: 'Cold', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    const hot = await env.wallets.createSingleSig({ name: 'Hot', device: 'abandon' });
    const record = await readRecord(cold.alias);
    await writeFile(recordPath(cold.alias), JSON.stringify({ ...record, descriptor: hot.descriptor.descriptor }));
    const manager = fresh();
    const names = (await manager.list()).map((w) => w.alias);
    assert.deepEqual(names, [hot.alias]);
    assert.equal(manager.problems.length, 1);
    assert.match(manager.problems[0]!.reason, /does not belong to the descriptor/);
  });

  it('a stamped wallet whose address file is foreign is refused before its first derivation', async () => {
    const cold = await env.wallets.createMultisig({ name: 'Cold', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    const hot = await env.wallets.createSingleSig({ name: 'Hot', device: 'abandon' });
    await copyFile(path.join(env.dir, 'wallets', `${hot.alias}_addresses.json`), path.join(env.dir, 'wallets', `${cold.alias}_addresses.json`));
    const loaded = await fresh().get(cold.alias);
    await rejectsWith(loaded.getAddress(25), 'DATA_FILE_CORRUPT', /does not belong to the descriptor/);
    await rejectsWith(loaded.addresses(false, 100, 5), 'DATA_FILE_CORRUPT', /does not belong to the descriptor/);
  });

  it('loading stamped wallets never loads the descriptor cross-check library', async () => {
    await env.wallets.createMultisig({ name: 'Cold', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    await env.wallets.createSingleSig({ name: 'Hot', device: 'abandon' });
    const wallets = fileURLToPath(new URL('../../../../src/managers/wallets/index.js', import.meta.url));
    const devices = fileURLToPath(new URL('../../../../src/managers/devices/index.js', import.meta.url));
    const persistence = fileURLToPath(new URL('../../../../src/persistence/index.js', import.meta.url));
    const script = `
      import { createRequire } from 'node:module';
      const { WalletManager } = await import(${JSON.stringify(wallets)});
      const { DeviceManager } = await import(${JSON.stringify(devices)});
      const { JsonFileStore } = await import(${JSON.stringify(persistence)});
      const store = new JsonFileStore();
      const wallets = new WalletManager(process.argv[1], store, new DeviceManager(process.argv[1], store));
      const list = await wallets.list();
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@bitcoinerlab/descriptors'));
      console.log(JSON.stringify({ wallets: list.length, problems: wallets.problems.length, loaded }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, env.dir]).toString());
    assert.deepEqual(out, { wallets: 2, problems: 0, loaded: false });
  });
});
