/**
 * The descriptor of a new wallet made from devices: one key of each (key-selection.ts picks which),
 * a single-sig or m-of-n multisig descriptor of the requested script type, parsed and checked.
 * No I/O: the wallet manager loads the devices and writes the wallet.
 */
import { SpecterError } from '../../errors/index.js';
import {
  multisigDescriptor,
  parseDescriptor,
  singleSigDescriptor,
  type MultisigScriptType,
  type NetworkName,
  type ParsedDescriptor,
  type SingleSigScriptType,
} from '../../bitcoin/index.js';
import { keyExpression, type Device, type DeviceKey } from '../devices/device.js';
import { chooseFamily, familyOf, pickKey } from './key-selection.js';

export const MAX_MULTISIG_KEYS = 15;

export interface CommonCreate {
  name: string;
  network?: NetworkName;
  blockheight?: number;
}

export interface SingleSigOptions extends CommonCreate {
  /** Device alias. */
  device: string;
  /** Default wpkh. */
  scriptType?: SingleSigScriptType;
  /** Pick this key of the device (any encoding) instead of the first fitting one. */
  xpub?: string;
}

export interface MultisigOptions extends CommonCreate {
  threshold: number;
  /** Device aliases, one key each. */
  devices: string[];
  /** Default wsh. */
  scriptType?: MultisigScriptType;
  /** sortedmulti (default) or multi. */
  sorted?: boolean;
  /** Per device alias, the key to use (any encoding) instead of the first fitting one. */
  xpubs?: Record<string, string>;
}

/** Single-sig (wpkh by default) from one key of the device. */
export function singleSigFromDevice(device: Device, opts: SingleSigOptions, network: NetworkName | undefined): ParsedDescriptor {
  const scriptType = opts.scriptType ?? 'wpkh';
  const key = pickKey(device, scriptType, chooseFamily([device], scriptType, familyOf(network)), opts.xpub);
  return parseDescriptor(singleSigDescriptor(scriptType, keyExpression(key), { network }), { network });
}

/** 1 to MAX_MULTISIG_KEYS device aliases, before any is loaded. */
export function checkDeviceCount(devices: unknown): void {
  if (!Array.isArray(devices) || devices.length === 0) {
    throw new SpecterError('DESCRIPTOR_POLICY', 'A multisig wallet needs devices.', { hint: 'Select the devices whose keys form the wallet.' });
  }
  if (devices.length > MAX_MULTISIG_KEYS) {
    throw new SpecterError(
      'DESCRIPTOR_POLICY',
      `A multisig wallet can have at most ${MAX_MULTISIG_KEYS} keys; ${devices.length} devices were selected.`,
      { hint: `Select at most ${MAX_MULTISIG_KEYS} devices.` },
    );
  }
}

/** m-of-n multisig (wsh sortedmulti by default) from one key of each device, every key distinct. */
export function multisigFromDevices(selected: readonly Device[], opts: MultisigOptions, network: NetworkName | undefined): ParsedDescriptor {
  const scriptType = opts.scriptType ?? 'wsh';
  const holders = new Map<string, Device>();
  const keys: DeviceKey[] = [];
  // One network for all keys: a device holding mainnet and testnet keys gives the one that fits.
  const family = chooseFamily([...selected], scriptType, familyOf(network));
  for (const device of selected) {
    const key = pickKey(device, scriptType, family, opts.xpubs?.[device.alias]);
    const other = holders.get(key.xpub);
    if (other) {
      throw new SpecterError(
        'DESCRIPTOR_POLICY',
        other.alias === device.alias
          ? `Device "${device.name}" is selected twice: a multisig wallet needs one key per device.`
          : `Devices "${other.name}" and "${device.name}" hold the same key, so the wallet would not have ${selected.length} independent keys.`,
        {
          hint: 'Select different devices, or remove the duplicated key from one of them.',
          details: { devices: [other.alias, device.alias] },
        },
      );
    }
    holders.set(key.xpub, device);
    keys.push(key);
  }
  const text = multisigDescriptor({ threshold: opts.threshold, keys: keys.map(keyExpression), scriptType, sorted: opts.sorted ?? true, network });
  return parseDescriptor(text, { network });
}
