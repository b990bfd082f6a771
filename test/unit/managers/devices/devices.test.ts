import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { convertExtendedKey } from '../../../../src/bitcoin/index.js';
import { DeviceTypeRegistry, exportsFor, parseDeviceKeys, psbtExportsOf } from '../../../../src/managers/devices/index.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import { BIP49, BIP84, MULTISIG_KEYS, TPUB_84 } from '../../bitcoin/fixtures.js';
import { keyText, makeEnv, rejectsWith, snapshot, type Env } from '../wallets/helpers.js';

const throwsKey = (fn: () => unknown, key: string, re: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(isSpecterError(e), String(e));
    assert.equal(e.key, key, e.message);
    assert.match(`${e.message} ${e.hint ?? ''}`, re);
    return true;
  });

/** A Coldcard "Generic JSON" export of the abandon…about seed (fields as Coldcard writes them). */
const COLDCARD_EXPORT = JSON.stringify({
  chain: 'BTC',
  xfp: '73C5DA0A',
  account: 0,
  xpub: 'xpub661MyMwAqRbcFkPHucMnrGNzDwb6teAX1RbKQmqtEF8kK3Z7LZ59qafCjB9eCRLiTVG3uxBxgKvRgbubRhqSKXnGGb1aoaqLrpMBDrVxga8',
  bip44: {
    name: 'p2pkh',
    xfp: '73C5DA0A',
    deriv: "m/44'/0'/0'",
    xpub: 'xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj',
  },
  bip49: { name: 'p2sh-p2wpkh', xfp: '73C5DA0A', deriv: "m/49'/0'/0'", xpub: BIP49.xpub, _pub: BIP49.ypub },
  bip84: { name: 'p2wpkh', xfp: '73C5DA0A', deriv: "m/84'/0'/0'", xpub: BIP84.xpub, _pub: BIP84.zpub },
  bip48_2: {
    name: 'p2wsh',
    xfp: '73C5DA0A',
    deriv: "m/48'/0'/0'/2'",
    xpub: MULTISIG_KEYS.abandon.xpub,
    _pub: convertExtendedKey(MULTISIG_KEYS.abandon.xpub, 'Zpub'),
  },
});

describe('DeviceTypeRegistry', () => {
  it('has the built-in types with icons and refuses duplicates', () => {
    const r = new DeviceTypeRegistry();
    const ids = r.list().map((t) => t.type);
    for (const t of ['generic', 'coldcard', 'trezor', 'ledger', 'bitbox02', 'jade', 'keystone', 'seedsigner', 'specterdiy', 'electrum'])
      assert.ok(ids.includes(t), t);
    assert.match(r.get('coldcard').icon, /^\/static\/img\/devices\/.+\.svg$/);
    r.register({ type: 'mydevice', name: 'My Device', icon: '/spc/ext/mine/static/dev.svg' });
    assert.equal(r.get('mydevice').name, 'My Device');
    throwsKey(() => r.register({ type: 'mydevice', name: 'Again', icon: '/x.svg' }), 'DEVICE_TYPE_EXISTS', /already registered/);
    throwsKey(() => r.register({ type: 'Bad Id', name: 'x', icon: '/x.svg' }), 'DEVICE_INVALID', /lowercase/);
    throwsKey(() => r.get('nope'), 'DEVICE_INVALID', /Unknown device type "nope".*coldcard/);
  });
});

describe('device types: how a PSBT reaches the device', () => {
  it('built-ins say their ways, a type without any takes all; bad lists are refused naming the choices', () => {
    const r = new DeviceTypeRegistry();
    assert.deepEqual(psbtExportsOf(r.get('seedsigner')), ['qr']);
    assert.deepEqual(psbtExportsOf(r.get('coldcard')), ['file', 'text']);
    assert.deepEqual(psbtExportsOf(r.get('generic')), ['file', 'text', 'qr']);
    assert.deepEqual(psbtExportsOf(r.register({ type: 'mine', name: 'Mine', icon: '/x.svg' })), ['file', 'text', 'qr']);
    assert.deepEqual(r.register({ type: 'camera', name: 'Camera', icon: '/x.svg', exports: ['qr', 'qr'] }).exports, ['qr']);
    for (const exports of [[], ['nfc'], 'qr']) {
      assert.throws(
        () => r.register({ type: `bad-${String(exports.length)}`, name: 'Bad', icon: '/x.svg', exports: exports as never }),
        (e: Error & { key?: string }) => e.key === 'DEVICE_INVALID' && /"file", "text", "qr"/.test(e.message + String((e as { hint?: string }).hint)),
      );
    }
  });

  it('the PSBT page offers every way one of the devices takes; all when a key has no known device', () => {
    const qrOnly = { exports: ['qr'] as const };
    const usb = { exports: ['file', 'text'] as const };
    assert.deepEqual(exportsFor([qrOnly], 1), { file: false, text: false, qr: true });
    assert.deepEqual(exportsFor([qrOnly, usb], 2), { file: true, text: true, qr: true });
    assert.deepEqual(exportsFor([usb], 2), { file: true, text: true, qr: true }, 'one key without a device');
  });
});

describe('key import', () => {
  it('reads one key per line or whitespace separated, with /0/* tails and SLIP-132', () => {
    const keys = parseDeviceKeys(
      `  [73c5da0a/84'/0'/0']${BIP84.zpub}/0/*\n\n${keyText(MULTISIG_KEYS.abandon)}   [73c5da0a/49h/0h/0h]${BIP49.ypub}\n`,
    );
    assert.equal(keys.length, 3);
    assert.deepEqual(keys[0], {
      originFingerprint: '73c5da0a',
      derivation: 'm/84h/0h/0h',
      xpub: BIP84.xpub,
      scriptType: 'wpkh',
      network: 'main',
      original: `[73c5da0a/84'/0'/0']${BIP84.zpub}/0/*`,
    });
    assert.equal(keys[1]!.scriptType, 'wsh'); // from the m/48h/…/2h path
    assert.equal(keys[2]!.scriptType, 'sh-wpkh');
    assert.equal(parseDeviceKeys(TPUB_84)[0]!.network, 'test');
  });

  it('reads a Coldcard generic JSON export', () => {
    const keys = parseDeviceKeys(COLDCARD_EXPORT);
    assert.deepEqual(
      keys.map((k) => k.scriptType),
      ['pkh', 'sh-wpkh', 'wpkh', 'wsh'],
    );
    assert.ok(keys.every((k) => k.originFingerprint === '73c5da0a'));
    assert.equal(keys[2]!.xpub, BIP84.xpub);
    assert.equal(keys[2]!.original, BIP84.zpub);
    assert.equal(keys[3]!.derivation, 'm/48h/0h/0h/2h');
  });

  it('names the line of garbage and of duplicates', () => {
    throwsKey(() => parseDeviceKeys(`${keyText(MULTISIG_KEYS.legal)}\nnot-a-key`), 'KEY_INVALID', /^Line 2: .*Expected an extended public key/);
    throwsKey(() => parseDeviceKeys(`${BIP84.xpub}\n\n[73c5da0a/84h/0h/0h]${BIP84.zpub}`), 'DEVICE_INVALID', /^Line 3: .*duplicate of line 1/);
    throwsKey(() => parseDeviceKeys(`[73c5da0a/84H/0h/0h]${BIP84.xpub}`), 'KEY_ORIGIN_INVALID', /uses H/);
    throwsKey(() => parseDeviceKeys('   '), 'DEVICE_INVALID', /No keys/);
    throwsKey(() => parseDeviceKeys('{"xfp": "73C5DA0A"'), 'DEVICE_INVALID', /looks like JSON but does not parse/);
    throwsKey(() => parseDeviceKeys('{"hello": 1}'), 'DEVICE_INVALID', /no keys Specter TS recognises/);
  });
});

describe('DeviceManager', () => {
  let env: Env;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('creates, lists, renames, adds keys and removes devices in one file each', async () => {
    const d = await env.devices.create('My Coldcard #1', 'coldcard', COLDCARD_EXPORT);
    assert.equal(d.alias, 'my-coldcard-1');
    const onDisk = JSON.parse(await readFile(path.join(env.dir, 'devices', 'my-coldcard-1.json'), 'utf8'));
    assert.deepEqual(Object.keys(onDisk).sort(), ['alias', 'keys', 'name', 'type']);
    assert.equal(onDisk.keys[2].xpub, BIP84.xpub);
    const twin = await env.devices.create('My Coldcard 1', 'trezor', keyText(MULTISIG_KEYS.legal));
    assert.equal(twin.alias, 'my-coldcard-1-1');
    assert.deepEqual((await env.devices.list()).map((x) => x.alias).sort(), ['my-coldcard-1', 'my-coldcard-1-1']);
    const renamed = await env.devices.rename('my-coldcard-1', 'Vault');
    assert.equal(renamed.alias, 'my-coldcard-1');
    assert.equal((await env.devices.get('my-coldcard-1')).name, 'Vault');
    const more = await env.devices.addKeys('my-coldcard-1-1', TPUB_84);
    assert.equal(more.keys.length, 2);
    await rejectsWith(
      env.devices.addKeys('my-coldcard-1-1', keyText(MULTISIG_KEYS.legal)),
      'DEVICE_INVALID',
      /duplicate of a key the device already has/,
    );
    await env.devices.remove('my-coldcard-1');
    await rejectsWith(env.devices.get('my-coldcard-1'), 'DEVICE_NOT_FOUND', /There is no device "my-coldcard-1"/);
    assert.equal((await env.devices.list()).length, 1);
  });

  it('refuses bad input with nothing written', async () => {
    await env.devices.create('Taken', 'generic', keyText(MULTISIG_KEYS.letter));
    await env.devices.create('Other', 'generic', keyText(MULTISIG_KEYS.legal));
    const before = await snapshot(env.dir);
    await rejectsWith(env.devices.create('New', 'coldcard', `${keyText(MULTISIG_KEYS.abandon)}\nxpubGARBAGE`), 'KEY_INVALID', /^Line 2:/);
    await rejectsWith(env.devices.create('taken', 'coldcard', keyText(MULTISIG_KEYS.abandon)), 'DEVICE_EXISTS', /"Taken" already exists/);
    await rejectsWith(env.devices.create('New', 'nokia', keyText(MULTISIG_KEYS.abandon)), 'DEVICE_INVALID', /Unknown device type "nokia"/);
    await rejectsWith(env.devices.create('  ', 'coldcard', keyText(MULTISIG_KEYS.abandon)), 'DEVICE_INVALID', /name is empty/);
    await rejectsWith(env.devices.addKeys('ghost', TPUB_84), 'DEVICE_NOT_FOUND', /no device "ghost"/);
    await rejectsWith(env.devices.rename('other', 'TAKEN'), 'DEVICE_EXISTS', /already exists/);
    await rejectsWith(env.devices.get('../etc/passwd'), 'DEVICE_NOT_FOUND', /no device/);
    assert.deepEqual(await snapshot(env.dir), before);
  });
});
