import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeviceManager } from '../../../../src/managers/devices/index.js';
import { WalletManager, type WalletManagerOptions } from '../../../../src/managers/wallets/index.js';
import { JsonFileStore, type PersistenceLogger } from '../../../../src/persistence/index.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import { BIP84, MULTISIG_KEYS } from '../../bitcoin/fixtures.js';

export { snapshot } from '../../../helpers/files.js';

export interface Env {
  dir: string;
  store: JsonFileStore;
  devices: DeviceManager;
  wallets: WalletManager;
  cleanup(): Promise<void>;
}

const quietLogger: PersistenceLogger = { warn() {}, error() {}, debug() {} };

export async function makeEnv(options: WalletManagerOptions = {}): Promise<Env> {
  const dir = await mkdtemp(path.join(tmpdir(), 'specter-wallets-'));
  const store = new JsonFileStore({ logger: quietLogger });
  const devices = new DeviceManager(dir, store);
  const wallets = new WalletManager(dir, store, devices, options);
  return { dir, store, devices, wallets, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function rejectsWith(promise: Promise<unknown>, key: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isSpecterError(err), `expected a SpecterError, got ${String(err)}`);
    assert.equal(err.key, key, err.message);
    assert.match(`${err.message} ${err.hint ?? ''}`, pattern);
    return true;
  });
}

export const keyText = (k: { fingerprint: string; path: string; xpub: string }) => `[${k.fingerprint}/${k.path.slice(2)}]${k.xpub}`;

/** Three devices, each with its BIP-48 wsh key; the first also has the BIP-84 key. */
export async function addStandardDevices(env: Env): Promise<void> {
  await env.devices.create('Abandon', 'coldcard', `${keyText(MULTISIG_KEYS.abandon)}\n[73c5da0a/84h/0h/0h]${BIP84.zpub}`);
  await env.devices.create('Legal', 'trezor', keyText(MULTISIG_KEYS.legal));
  await env.devices.create('Letter', 'ledger', keyText(MULTISIG_KEYS.letter));
}
