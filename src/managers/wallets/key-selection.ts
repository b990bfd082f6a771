/**
 * Which key of a device a new wallet uses: the key of the requested script type on the wallet's
 * network (a device may hold mainnet and testnet keys side by side), or an explicitly chosen one. Errors say what is missing and where the key
 * usually lives (BIP-44/48/49/84/86 paths).
 */
import { SpecterError } from '../../errors/index.js';
import { getNetwork, parseExtendedKey, scriptTypeWords, type KeyNetwork, type NetworkName, type ScriptType } from '../../bitcoin/index.js';
import type { Device, DeviceKey } from '../devices/device.js';

/** Usual account path per script type, for hints. */
const TYPICAL_PATH: Record<ScriptType, string> = {
  pkh: 'm/44h/{coin}h/0h',
  'sh-wpkh': 'm/49h/{coin}h/0h',
  wpkh: 'm/84h/{coin}h/0h',
  tr: 'm/86h/{coin}h/0h',
  sh: 'm/45h',
  'sh-wsh': 'm/48h/{coin}h/0h/1h',
  wsh: 'm/48h/{coin}h/0h/2h',
};

export function familyOf(network: NetworkName | undefined): KeyNetwork | undefined {
  return network === undefined ? undefined : getNetwork(network).family;
}

/**
 * The key family of a new wallet whose network the caller did not name: the one family every
 * selected device has a key of this script type for. A device holding keys of both families does
 * not decide; when all of them do, mainnet is chosen (a fixed rule rather than whichever key was
 * added first). Undefined when no family fits every device: pickKey then reports what is missing.
 */
export function chooseFamily(devices: readonly Device[], scriptType: ScriptType, requested: KeyNetwork | undefined): KeyNetwork | undefined {
  if (requested !== undefined) return requested;
  let common: Set<KeyNetwork> | undefined;
  for (const device of devices) {
    const families = new Set(device.keys.filter((k) => k.scriptType === scriptType).map((k) => k.network));
    common = common === undefined ? families : new Set([...common].filter((f) => families.has(f)));
  }
  if (!common || common.size === 0) return undefined;
  return common.has('main') ? 'main' : [...common][0];
}

/** A device key fitting the wallet, or a precise error (no key of that type / wrong network). */
export function pickKey(device: Device, scriptType: ScriptType, family: KeyNetwork | undefined, xpub: string | undefined): DeviceKey {
  if (xpub !== undefined) {
    const canonical = parseExtendedKey(xpub, { where: `The key chosen for device "${device.name}"` }).xpub;
    const key = device.keys.find((k) => k.xpub === canonical);
    if (!key) {
      throw new SpecterError('DEVICE_KEY_NOT_FOUND', `Device "${device.name}" has no key ${xpub.slice(0, 16)}….`, {
        hint: 'Choose one of the keys listed on the device, or add the key to the device first.',
        details: { device: device.alias },
      });
    }
    return key;
  }
  const typed = device.keys.filter((k) => k.scriptType === scriptType);
  const fitting = typed.filter((k) => family === undefined || k.network === family);
  if (fitting.length) return fitting[0]!;
  if (typed.length && family) {
    throw new SpecterError(
      'KEY_NETWORK_MISMATCH',
      `Device "${device.name}" has a ${scriptTypeWords(scriptType)} key only for ${typed[0]!.network === 'main' ? 'mainnet' : 'the test networks'}, but the wallet is on ${family === 'main' ? 'mainnet' : 'a test network'}.`,
      {
        hint: `Add the device's ${family === 'main' ? 'mainnet' : 'testnet'} key (${TYPICAL_PATH[scriptType].replace('{coin}', family === 'main' ? '0' : '1')}).`,
        details: { device: device.alias },
      },
    );
  }
  throw new SpecterError('DEVICE_KEY_NOT_FOUND', `Device "${device.name}" has no key for ${scriptTypeWords(scriptType)} wallets.`, {
    hint: `Add the device's key for ${scriptTypeWords(scriptType)} wallets, usually at ${TYPICAL_PATH[scriptType].replace('{coin}', family === 'test' ? '1' : '0')}.`,
    details: { device: device.alias, scriptType },
  });
}
