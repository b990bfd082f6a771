/**
 * Device types: the built-in hardware/software signers and the ones extensions register
 * (the seed's `devices` extension attribute). A type only carries display data here; signing
 * integrations live elsewhere.
 */
import { SpecterError } from '../../errors/index.js';

export interface DeviceType {
  /** Stable id stored in device files, e.g. "coldcard". */
  readonly type: string;
  /** Display name, e.g. "Coldcard". */
  readonly name: string;
  /** Icon URL path, e.g. "/static/img/devices/coldcard_icon.svg". */
  readonly icon: string;
}

const icon = (file: string) => `/static/img/devices/${file}`;

/** Specter Desktop's device types and icon file names. */
export const BUILTIN_DEVICE_TYPES: readonly DeviceType[] = Object.freeze(
  [
    { type: 'generic', name: 'Other', icon: icon('generic_icon.svg') },
    { type: 'coldcard', name: 'Coldcard', icon: icon('coldcard_icon.svg') },
    { type: 'trezor', name: 'Trezor', icon: icon('trezor_icon.svg') },
    { type: 'ledger', name: 'Ledger', icon: icon('ledger_icon.svg') },
    { type: 'bitbox02', name: 'BitBox02', icon: icon('bitbox02_icon.svg') },
    { type: 'jade', name: 'Jade', icon: icon('jade_icon.svg') },
    { type: 'keystone', name: 'Keystone', icon: icon('keystone_icon.svg') },
    { type: 'seedsigner', name: 'SeedSigner', icon: icon('seedsigner_icon.svg') },
    { type: 'specterdiy', name: 'Specter-DIY', icon: icon('specterdiy_icon.svg') },
    { type: 'electrum', name: 'Electrum', icon: icon('electrum_icon.svg') },
  ].map((t) => Object.freeze(t)),
);

const TYPE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export class DeviceTypeRegistry {
  private readonly types = new Map<string, DeviceType>();

  constructor(builtins: readonly DeviceType[] = BUILTIN_DEVICE_TYPES) {
    for (const t of builtins) this.register(t);
  }

  /** Add a type (extensions call this). A duplicate id is refused so no extension shadows another. */
  register(type: DeviceType): DeviceType {
    if (!type || typeof type.type !== 'string' || !TYPE_ID.test(type.type)) {
      throw new SpecterError('DEVICE_INVALID', `Device type id "${String(type?.type)}" is invalid.`, {
        hint: 'Use 1–40 lowercase letters, digits, "_" or "-", starting with a letter or digit (e.g. "mydevice").',
      });
    }
    if (typeof type.name !== 'string' || !type.name.trim()) {
      throw new SpecterError('DEVICE_INVALID', `Device type "${type.type}" needs a display name.`, { hint: 'Set `name`, e.g. "My Device".' });
    }
    if (typeof type.icon !== 'string' || !type.icon.startsWith('/')) {
      throw new SpecterError('DEVICE_INVALID', `Device type "${type.type}" needs an icon URL path starting with "/".`, {
        hint: 'E.g. "/spc/ext/<id>/static/img/mydevice.svg" or "/static/img/devices/generic_icon.svg".',
      });
    }
    if (this.types.has(type.type)) {
      throw new SpecterError('DEVICE_TYPE_EXISTS', `Device type "${type.type}" is already registered.`, {
        hint: 'Pick another id for the new device type.',
        details: { type: type.type },
      });
    }
    const frozen = Object.freeze({ type: type.type, name: type.name.trim(), icon: type.icon });
    this.types.set(type.type, frozen);
    return frozen;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** The type, or DEVICE_INVALID listing the known ones. */
  get(type: string): DeviceType {
    const found = this.types.get(type);
    if (!found) {
      throw new SpecterError('DEVICE_INVALID', `Unknown device type "${type}".`, {
        hint: `Use one of: ${[...this.types.keys()].join(', ')}.`,
        details: { type },
      });
    }
    return found;
  }

  list(): DeviceType[] {
    return [...this.types.values()];
  }
}
