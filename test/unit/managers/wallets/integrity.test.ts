/**
 * Data integrity of wallets and devices: duplicates are refused naming the existing one, a device
 * with mainnet and testnet keys serves both networks, a wallet file of the wrong shape is reported
 * (not hidden), key pastes and address lists are bounded.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { bip32 } from '../../../../src/bitcoin/bip32.js';
import { DeviceManager, KEYS_PER_TURN, MAX_DEVICE_KEYS, parseDeviceKeys, parseDeviceKeysAsync } from '../../../../src/managers/devices/index.js';
import { GAP_LIMIT, MAX_ADDRESS_LOOKAHEAD, MAX_INDEX, WalletManager } from '../../../../src/managers/wallets/index.js';
import { createAddressDeriver } from '../../../../src/bitcoin/index.js';
import { BIP84, MULTISIG_KEY_TEXTS, MULTISIG_KEYS, TPUB_84 } from '../../bitcoin/fixtures.js';
import { addStandardDevices, keyText, makeEnv, type Env } from './helpers.js';
import { rejectsWith } from '../_helpers.js';

/** `n` distinct valid mainnet keys (children of the BIP-84 account key). */
const manyKeys = (n: number) => Array.from({ length: n }, (_, i) => bip32.fromBase58(BIP84.xpub).derive(i).toBase58());

let env: Env;
beforeEach(async () => {
  env = await makeEnv();
  await addStandardDevices(env);
});
afterEach(async () => {
  await env.cleanup();
});

describe('duplicate wallets and device keys', () => {
  it('the same descriptor again (other encoding, other name) is a 409 naming the existing wallet', async () => {
    const first = await env.wallets.createSingleSig({ name: 'Spending', device: 'abandon' });
    // Receive-branch form, without the key origin: still the same keys, policy and script.
    const err = await rejectsWith(env.wallets.importDescriptor(`wpkh(${BIP84.xpub}/0/*)`, { name: 'Again' }), 'WALLET_DUPLICATE', /"Spending"/);
    assert.equal(err.status, 409);
    assert.deepEqual(err.details, { alias: first.alias, name: 'Spending' });
    await rejectsWith(env.wallets.createSingleSig({ name: 'Twice', device: 'abandon' }), 'WALLET_DUPLICATE');
    await rejectsWith(env.wallets.importBackup(await env.wallets.exportBackup(first.alias), { name: 'Restored' }), 'WALLET_DUPLICATE');

    // sortedmulti: key order does not matter; another threshold or script type is another wallet.
    await env.wallets.createMultisig({ name: 'Vault', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
    const reordered = `wsh(sortedmulti(2,${MULTISIG_KEY_TEXTS[2]}/<0;1>/*,${MULTISIG_KEY_TEXTS[0]}/<0;1>/*,${MULTISIG_KEY_TEXTS[1]}/<0;1>/*))`;
    await rejectsWith(env.wallets.importDescriptor(reordered, { name: 'Vault again' }), 'WALLET_DUPLICATE', /"Vault"/);
    await env.wallets.createMultisig({ name: 'Vault 1of3', threshold: 1, devices: ['abandon', 'legal', 'letter'] });
    await env.wallets.createSingleSig({ name: 'Nested', device: 'abandon', scriptType: 'sh-wpkh', xpub: BIP84.xpub });
    assert.equal((await env.wallets.list()).length, 4);
  });

  it('a key another device already holds is refused naming that device, unless sharing is confirmed', async () => {
    const err = await rejectsWith(
      env.devices.create('Backup', 'generic', keyText(MULTISIG_KEYS.legal)),
      'DEVICE_KEY_EXISTS',
      /already on device "Legal"/,
    );
    assert.equal(err.status, 409);
    assert.equal(err.details.alias, 'legal');
    const other = await env.devices.create('Other', 'generic', `[73c5da0a/84h/1h/0h]${TPUB_84}`);
    await rejectsWith(env.devices.addKeys(other.alias, keyText(MULTISIG_KEYS.letter)), 'DEVICE_KEY_EXISTS', /"Letter"/);
    assert.equal((await env.devices.get(other.alias)).keys.length, 1, 'nothing was added');
    const shared = await env.devices.create('Same seed', 'generic', keyText(MULTISIG_KEYS.legal), { allowSharedKeys: true });
    assert.equal(shared.keys.length, 1);
  });
});

describe('mixed-network devices', () => {
  it("a device with testnet and mainnet keys gives the key of the wallet's network, whatever their order", async () => {
    // Testnet key first: the old rule (first fitting key) made every wallet of this device a testnet one.
    await env.devices.create('Both', 'generic', `[73c5da0a/84h/1h/0h]${TPUB_84}\n[73c5da0a/84h/0h/0h]${BIP84.xpub}`, { allowSharedKeys: true });
    const main = await env.wallets.createSingleSig({ name: 'Main', device: 'both' });
    assert.equal(main.network, 'main');
    assert.equal(await main.getAddress(0), BIP84.receive[0]);
    const test = await env.wallets.createSingleSig({ name: 'Test', device: 'both', network: 'test' });
    assert.equal(test.network, 'test');
    assert.match(test.descriptor.descriptor, /tpub/);
    const regtest = new WalletManager(env.dir, env.store, env.devices, { network: 'regtest' });
    assert.equal((await regtest.createSingleSig({ name: 'Reg', device: 'both' })).network, 'regtest');
  });

  it('multisig: one network for all keys, the one every device can serve', async () => {
    const mainWsh = bip32.fromBase58(MULTISIG_KEYS.legal.xpub).derive(5).toBase58();
    await env.devices.create('Mixed', 'generic', `[aaaaaaaa/48h/1h/0h/2h]${TPUB_84}\n[bbbbbbbb/48h/0h/0h/2h]${mainWsh}`);
    const w = await env.wallets.createMultisig({ name: 'Main multisig', threshold: 2, devices: ['mixed', 'letter'] });
    assert.equal(w.network, 'main');
    assert.match(w.descriptor.descriptor, /\[bbbbbbbb\/48h\/0h\/0h\/2h\]xpub/);
  });
});

describe('a wallet file of the wrong shape is reported, not hidden', () => {
  it('list() keeps the good wallets and names the bad file and why in problems', async () => {
    await env.wallets.createSingleSig({ name: 'Good', device: 'abandon' });
    const folder = env.wallets.walletsFolder;
    await writeFile(path.join(folder, 'shape.json'), JSON.stringify({ alias: 'shape', name: 'Shape' })); // no descriptor
    await writeFile(
      path.join(folder, 'counts.json'),
      JSON.stringify({
        alias: 'counts',
        name: 'C',
        descriptor: 'x',
        network: 'main',
        blockheight: -1,
        devices: [],
        address_index: 0,
        change_index: 0,
        keypool: 0,
        change_keypool: 0,
      }),
    );
    const garbage = {
      alias: 'garbage',
      name: 'G',
      descriptor: 'wpkh(nonsense)',
      network: 'main',
      blockheight: 0,
      devices: [],
      address_index: 0,
      change_index: 0,
      keypool: 0,
      change_keypool: 0,
    };
    await writeFile(path.join(folder, 'garbage.json'), JSON.stringify(garbage));
    await writeFile(path.join(folder, 'good_notes.json'), JSON.stringify({ addrs: {}, txs: {} })); // an extension's annotations: not a wallet
    const fresh = new WalletManager(env.dir, env.store, new DeviceManager(env.dir, env.store));
    assert.deepEqual(
      (await fresh.list()).map((w) => w.alias),
      ['good'],
    );
    const problems = fresh.problems.map((p) => [p.file, p.reason]);
    assert.equal(problems.length, 3, JSON.stringify(problems));
    assert.deepEqual(problems.map(([f]) => f).sort(), ['wallets/counts.json', 'wallets/garbage.json', 'wallets/shape.json']);
    assert.match(problems.find(([f]) => f === 'wallets/garbage.json')![1]!, /descriptor does not parse/);
    assert.match(problems.find(([f]) => f === 'wallets/shape.json')![1]!, /"descriptor" is missing/);
    assert.match(problems.find(([f]) => f === 'wallets/counts.json')![1]!, /"blockheight" must be a non-negative integer/);
    await rejectsWith(fresh.get('shape'), 'DATA_FILE_CORRUPT', /shape\.json/);
    // Its alias stays taken: a new wallet of that name does not overwrite the damaged file.
    const next = await fresh.importDescriptor(`wpkh(${MULTISIG_KEYS.legal.xpub}/<0;1>/*)`, { name: 'Shape' });
    assert.equal(next.alias, 'shape-1');
  });

  it('a damaged device file is listed in problems and the other devices still load', async () => {
    await writeFile(
      path.join(env.devices.devicesFolder, 'broken.json'),
      JSON.stringify({ alias: 'broken', name: 'B', type: 'generic', keys: [{ network: 'main' }] }),
    );
    const fresh = new DeviceManager(env.dir, env.store);
    assert.deepEqual(
      (await fresh.list()).map((d) => d.alias),
      ['abandon', 'legal', 'letter'],
    );
    assert.deepEqual(
      fresh.problems.map((p) => p.file),
      ['devices/broken.json'],
    );
    assert.match(fresh.problems[0]!.reason, /keys\[0\]\.xpub" is missing/);
  });
});

describe('bounds', () => {
  it(`a key paste holds at most ${MAX_DEVICE_KEYS} keys and 64 KiB, refused before any key is parsed`, async () => {
    const tooMany = manyKeys(MAX_DEVICE_KEYS + 1).join('\n');
    await rejectsWith(env.devices.create('Many', 'generic', tooMany), 'LIMIT_EXCEEDED', /101 keys; at most 100 keys/);
    assert.throws(() => parseDeviceKeys(Array(101).fill('garbage')), /at most 100 keys/);
    await rejectsWith(env.devices.create('Huge', 'generic', 'x'.repeat(70_000)), 'LIMIT_EXCEEDED', /70,000 characters; at most 65,536/);
    const ok = await env.devices.create('Hundred', 'generic', manyKeys(MAX_DEVICE_KEYS).join('\n'));
    assert.equal(ok.keys.length, MAX_DEVICE_KEYS);
    await rejectsWith(env.devices.addKeys('hundred', `[73c5da0a/84h/1h/0h]${TPUB_84}`), 'LIMIT_EXCEEDED', /limit of 100 keys per device/);
  });

  it('a long paste is parsed with turns of the event loop in between', async () => {
    const keys = manyKeys(KEYS_PER_TURN * 3).join('\n');
    let finished = false;
    let ranWhileParsing = false;
    setImmediate(() => {
      ranWhileParsing = !finished;
    });
    const parsed = await parseDeviceKeysAsync(keys);
    finished = true;
    assert.equal(parsed.length, KEYS_PER_TURN * 3);
    assert.equal(ranWhileParsing, true, 'another callback ran before the parse finished');
  });

  it(`addresses are stored at most ${MAX_ADDRESS_LOOKAHEAD} beyond the keypool past the last used one; reading is not bounded`, async () => {
    const w = await env.wallets.createSingleSig({ name: 'Bounded', device: 'abandon' });
    const last = GAP_LIMIT + MAX_ADDRESS_LOOKAHEAD - 1;
    const deriver = createAddressDeriver(w.descriptor);
    // Listing reaches anywhere and stores nothing.
    assert.equal((await w.addresses(false, GAP_LIMIT, MAX_ADDRESS_LOOKAHEAD)).length, MAX_ADDRESS_LOOKAHEAD);
    const far = await w.addresses(true, 5_000_000, 2);
    assert.deepEqual(
      far.map((a) => [a.index, a.address, a.label, a.used, a.serviceId]),
      [
        [5_000_000, deriver.address(1, 5_000_000), 'Change #5000000', false, null],
        [5_000_001, deriver.address(1, 5_000_001), 'Change #5000001', false, null],
      ],
    );
    assert.equal((await w.addresses(false, MAX_INDEX, 1000)).length, 1, 'a page ends at the last index');
    await rejectsWith(w.addresses(false, MAX_INDEX + 1, 1), 'VALIDATION', /from must be an address index from 0 to 2147483647/);
    assert.equal(w.toJSON().keypool, GAP_LIMIT, 'listing stored nothing');
    // Storing (getAddress, labels) is bounded.
    await rejectsWith(w.getAddress(last + 1), 'LIMIT_EXCEEDED', /up to index 1019/);
    await rejectsWith(w.setLabel(deriver.address(0, last + 1), 'Too far'), 'ADDRESS_NOT_FOUND', /up to receive #1019 and change #1019/);
    await w.setLabel(deriver.address(0, last), 'Just inside');
    assert.equal(w.toJSON().keypool, last + 1, 'labelling stored the list up to the address');
    assert.equal(w.getAddressInfo(deriver.address(0, last)).label, 'Just inside');
    // Using an address moves the bound on.
    await w.setUsed(await w.getAddress(500), true);
    assert.equal(typeof (await w.getAddress(last + 501)), 'string');
    // (getAddress keeps GAP_LIMIT more derived past the index asked for, as Specter's get_address.)
    await rejectsWith(w.getAddress(last + 501 + GAP_LIMIT), 'LIMIT_EXCEEDED', /up to index 1520/);
  });
});
