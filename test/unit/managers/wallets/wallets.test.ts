import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createAddressDeriver, multisigDescriptor, parseDescriptor } from '../../../../src/bitcoin/index.js';
import { GAP_LIMIT, WalletManager } from '../../../../src/managers/wallets/index.js';
import { DeviceManager } from '../../../../src/managers/devices/index.js';
import { JsonFileStore } from '../../../../src/persistence/index.js';
import { SpecterError } from '../../../../src/errors/index.js';
import { BIP84, MULTISIG_KEY_TEXTS, MULTISIG_KEYS, TPUB_84 } from '../../bitcoin/fixtures.js';
import { addStandardDevices, keyText, makeEnv, rejectsWith, snapshot, type Env } from './helpers.js';

describe('WalletManager', () => {
  let env: Env;
  beforeEach(async () => {
    env = await makeEnv();
    await addStandardDevices(env);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('creates a single-sig wallet from a device key and stores the documented files', async () => {
    const w = await env.wallets.createSingleSig({ name: 'Hot Wallet', device: 'abandon' });
    assert.equal(w.alias, 'hot-wallet');
    assert.equal(w.descriptor.scriptType, 'wpkh');
    assert.equal(await w.getAddress(0), BIP84.receive[0]);
    const record = JSON.parse(await readFile(path.join(env.dir, 'wallets', 'hot-wallet.json'), 'utf8'));
    assert.deepEqual(Object.keys(record).sort(), [
      'address_index',
      'alias',
      'blockheight',
      'change_index',
      'change_keypool',
      'descriptor',
      'descriptor_checked',
      'devices',
      'keypool',
      'name',
      'network',
    ]);
    assert.equal(record.keypool, GAP_LIMIT);
    assert.deepEqual(record.devices, ['abandon']);
    assert.match(record.descriptor, /\/<0;1>\/\*\)#[a-z0-9]{8}$/);
    const addresses = JSON.parse(await readFile(path.join(env.dir, 'wallets', 'hot-wallet_addresses.json'), 'utf8'));
    assert.equal(addresses.receive.length, GAP_LIMIT);
    assert.equal(addresses.change.length, GAP_LIMIT);
    assert.deepEqual(addresses.receive[0], { index: 0, address: BIP84.receive[0], label: null, used: false, service_id: null });
    assert.equal(addresses.change[0].address, BIP84.change[0]);
  });

  it('creates a 2-of-3 multisig from three devices', async () => {
    const w = await env.wallets.createMultisig({ name: 'Vault', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    assert.equal(w.descriptor.policy, '2 of 3');
    assert.equal(w.descriptor.descriptor, multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS }));
    assert.deepEqual(w.devices, ['abandon', 'legal', 'letter']);
    assert.equal(await w.getAddress(3, true), createAddressDeriver(w.descriptor).address(1, 3));
  });

  it('round-trips export → import (backup JSON and descriptor) into another data folder', async () => {
    const w = await env.wallets.createMultisig({ name: 'Vault', threshold: 2, devices: ['abandon', 'legal', 'letter'], blockheight: 800_000 });
    const backup = await env.wallets.exportBackup('vault');
    assert.deepEqual(backup.devices, [
      { type: 'coldcard', label: 'Abandon' },
      { type: 'trezor', label: 'Legal' },
      { type: 'ledger', label: 'Letter' },
    ]);
    assert.equal(backup.label, 'Vault');
    assert.equal(backup.blockheight, 800_000);
    assert.match(backup.descriptor, /\/0\/\*\)\)#[a-z0-9]{8}$/);

    const other = await makeEnv();
    try {
      const imported = await other.wallets.importBackup(JSON.stringify(backup));
      assert.equal(imported.name, 'Vault');
      assert.equal(imported.blockheight, 800_000);
      assert.equal(imported.descriptor.descriptor, w.descriptor.descriptor);
      assert.deepEqual(
        (await imported.addresses(false, 0, 30)).map((a) => a.address),
        (await w.addresses(false, 0, 30)).map((a) => a.address),
      );
      const devs = await other.devices.list();
      assert.deepEqual(devs.map((d) => [d.name, d.type]).sort(), [
        ['Abandon', 'coldcard'],
        ['Legal', 'trezor'],
        ['Letter', 'ledger'],
      ]);
      assert.deepEqual(await other.wallets.exportBackup(imported.alias), backup);
      // The devices exist now: a second import links them instead of creating more.
      // (Another policy over the same keys: the same descriptor again would be a duplicate wallet.)
      const again = await other.wallets.importDescriptor(multisigDescriptor({ threshold: 1, keys: MULTISIG_KEY_TEXTS }), { name: 'Vault 2' });
      assert.equal((await other.devices.list()).length, 3);
      assert.deepEqual(again.devices.slice().sort(), imported.devices.slice().sort());
    } finally {
      await other.cleanup();
    }
    // Specter's own shape: "other" device type, receive descriptor with ' origins, no checksum.
    const specter = {
      label: 'From Specter',
      blockheight: 0,
      descriptor: `wpkh([73c5da0a/84'/0'/0']${BIP84.xpub}/0/*)`,
      devices: [{ type: 'other', label: 'Paper' }],
    };
    const fromSpecter = await env.wallets.importBackup(specter);
    assert.equal(await fromSpecter.getAddress(0, true), BIP84.change[0]);
    assert.deepEqual(fromSpecter.devices, ['abandon']); // the key already belonged to a device
  });

  it('lists, gets, survives a restart and removes', async () => {
    await env.wallets.createSingleSig({ name: 'A', device: 'abandon' });
    await env.wallets.createMultisig({ name: 'B', threshold: 1, devices: ['legal', 'letter'] });
    // An annotation file next to the wallets must not be mistaken for a wallet.
    await env.store.write(path.join(env.wallets.walletsFolder, 'a_swan.json'), { addrs: {}, txs: {} });
    await writeFile(path.join(env.wallets.walletsFolder, 'b_broken.json'), '{ not json'); // someone else's damaged file
    const fresh = new WalletManager(env.dir, env.store, new DeviceManager(env.dir, env.store));
    assert.deepEqual(
      (await fresh.list()).map((w) => w.alias),
      ['a', 'b'],
    );
    const b = await fresh.get('b');
    assert.equal(b.descriptor.policy, '1 of 2');
    await fresh.remove('a');
    await rejectsWith(fresh.get('a'), 'WALLET_NOT_FOUND', /There is no wallet "a"/);
    const left = Object.keys(await snapshot(env.dir)).filter((f) => f.startsWith('wallets') && !f.endsWith('.bkp'));
    assert.deepEqual(left.sort(), ['wallets/a_swan.json', 'wallets/b.json', 'wallets/b_addresses.json', 'wallets/b_broken.json']);
    // A damaged wallet definition is reported with its path (listed as a problem, not hidden).
    await writeFile(path.join(env.wallets.walletsFolder, 'b.json'), '{ not json');
    const reread = new WalletManager(env.dir, env.store, env.devices);
    assert.deepEqual(await reread.list(), []);
    assert.deepEqual(
      reread.problems.map((p) => p.file),
      ['wallets/b.json'],
    );
    await rejectsWith(reread.get('b'), 'DATA_FILE_CORRUPT', /b\.json/);
  });

  it('refuses bad requests with clear errors and writes nothing', async () => {
    await env.wallets.createSingleSig({ name: 'Existing', device: 'abandon' });
    await env.devices.create('Testnet', 'generic', `[73c5da0a/84h/1h/0h]${TPUB_84}`);
    await env.devices.create('Abandon copy', 'generic', keyText(MULTISIG_KEYS.abandon), { allowSharedKeys: true });
    const before = await snapshot(env.dir);

    // garbage xpub, garbage backup
    await rejectsWith(
      env.wallets.importDescriptor('wpkh([73c5da0a/84h/0h/0h]xpub6GARBAGE/0/*)', { name: 'G' }),
      'KEY_INVALID',
      /not valid base58check/,
    );
    await rejectsWith(env.wallets.importBackup('{"label": "x"'), 'WALLET_INVALID', /not valid JSON/);
    await rejectsWith(env.wallets.importBackup({ label: 'x' }), 'WALLET_INVALID', /no "descriptor"/);
    // wrong network key
    const mainOnly = new WalletManager(env.dir, env.store, env.devices, { network: 'main' });
    await rejectsWith(
      mainOnly.createSingleSig({ name: 'T', device: 'testnet' }),
      'KEY_NETWORK_MISMATCH',
      /only for the test networks, but the wallet is on mainnet/,
    );
    await rejectsWith(
      mainOnly.importDescriptor(`wpkh(${TPUB_84}/<0;1>/*)`, { name: 'T' }),
      'KEY_NETWORK_MISMATCH',
      /testnet\/signet\/regtest key, but mainnet is required/,
    );
    await rejectsWith(
      env.wallets.createMultisig({ name: 'Mix', threshold: 1, devices: ['abandon', 'testnet'], scriptType: 'wsh' }),
      'DEVICE_KEY_NOT_FOUND',
      /"Testnet" has no key for Segwit \(P2WSH\) multisig/,
    );
    // duplicate device keys in one multisig
    await rejectsWith(
      env.wallets.createMultisig({ name: 'Dup', threshold: 2, devices: ['abandon', 'legal', 'abandon-copy'] }),
      'DESCRIPTOR_POLICY',
      /"Abandon" and "Abandon copy" hold the same key/,
    );
    await rejectsWith(
      env.wallets.createMultisig({ name: 'Dup', threshold: 2, devices: ['abandon', 'legal', 'abandon'] }),
      'DESCRIPTOR_POLICY',
      /selected twice/,
    );
    await rejectsWith(
      env.wallets.importDescriptor(`wsh(sortedmulti(1,${MULTISIG_KEY_TEXTS[0]}/<0;1>/*,${MULTISIG_KEY_TEXTS[0]}/<0;1>/*))`, { name: 'Dup' }),
      'DESCRIPTOR_POLICY',
      /same key/,
    );
    // policy
    await rejectsWith(
      env.wallets.createMultisig({ name: 'K', threshold: 4, devices: ['abandon', 'legal', 'letter'] }),
      'DESCRIPTOR_POLICY',
      /threshold 4 is larger/,
    );
    await rejectsWith(
      env.wallets.createMultisig({ name: 'K', threshold: 1, devices: Array(16).fill('abandon') }),
      'DESCRIPTOR_POLICY',
      /at most 15 keys/,
    );
    // unknown aliases, names
    await rejectsWith(env.wallets.createSingleSig({ name: 'U', device: 'nobody' }), 'DEVICE_NOT_FOUND', /no device "nobody"/);
    await rejectsWith(env.wallets.get('nowhere'), 'WALLET_NOT_FOUND', /no wallet "nowhere"/);
    await rejectsWith(env.wallets.remove('nowhere'), 'WALLET_NOT_FOUND', /no wallet/);
    await rejectsWith(env.wallets.exportBackup('nowhere'), 'WALLET_NOT_FOUND', /no wallet/);
    await rejectsWith(env.wallets.createSingleSig({ name: 'existing', device: 'abandon' }), 'WALLET_EXISTS', /"Existing" already exists/);
    await rejectsWith(
      env.wallets.createSingleSig({ name: 'P', device: 'legal' }),
      'DEVICE_KEY_NOT_FOUND',
      /no key for Segwit \(P2WPKH\) single-key wallets.*m\/84h\/0h\/0h/,
    );
    await rejectsWith(env.wallets.importDescriptor(`wpkh(${BIP84.xpub}/*)`, { name: 'NoChange' }), 'WALLET_INVALID', /receive and change branches/);
    // count over the limit
    const w = await env.wallets.get('existing');
    await rejectsWith(w.addresses(false, 0, 1001), 'LIMIT_EXCEEDED', /At most 1000 addresses/);
    assert.deepEqual(await snapshot(env.dir), before);
  });

  it('undoes its own writes when an import fails part-way', async () => {
    const d = parseDescriptor(multisigDescriptor({ threshold: 2, keys: MULTISIG_KEY_TEXTS }));
    const other = await makeEnv();
    try {
      await other.wallets.importBackup({ label: 'Vault', descriptor: d.receiveDescriptor });
      const before = await snapshot(other.dir);
      // Same name → refused before any device is created.
      await rejectsWith(other.wallets.importBackup({ label: 'vault', descriptor: d.receiveDescriptor }), 'WALLET_EXISTS', /already exists/);
      assert.deepEqual(await snapshot(other.dir), before);
    } finally {
      await other.cleanup();
    }
    // A disk failure while writing the wallet, after its devices were created: both are undone.
    const third = await makeEnv();
    try {
      class FailingStore extends JsonFileStore {
        override async write(file: string, data: unknown): Promise<void> {
          if (file.includes(`${path.sep}wallets${path.sep}`)) throw new SpecterError('DATA_FILE_WRITE', `disk full: ${file}`);
          return super.write(file, data);
        }
      }
      const failing = new WalletManager(third.dir, new FailingStore(), third.devices);
      await rejectsWith(
        failing.importBackup({ label: 'Vault', descriptor: d.receiveDescriptor, devices: [{ type: 'coldcard', label: 'CC' }] }),
        'DATA_FILE_WRITE',
        /disk full/,
      );
      assert.deepEqual(await third.devices.list(), []);
      assert.deepEqual(
        Object.keys(await snapshot(third.dir)).filter((f) => !f.endsWith('.bkp')),
        [],
      );
    } finally {
      await third.cleanup();
    }
  });
});
