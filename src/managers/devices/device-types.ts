/**
 * Device types: the built-in hardware/software signers and the ones extensions register
 * (the seed's `devices` extension attribute). A type only carries display data here; signing
 * integrations live elsewhere.
 */
import { SpecterError } from '../../errors/index.js';

/** How a PSBT reaches a device: a `.psbt` file (SD card, USB), text to paste, or a QR code (BC-UR). */
export const PSBT_EXPORTS = ['file', 'text', 'qr'] as const;
export type PsbtExport = (typeof PSBT_EXPORTS)[number];

export interface DeviceType {
  /** Stable id stored in device files, e.g. "coldcard". */
  readonly type: string;
  /** Display name, e.g. "Coldcard". */
  readonly name: string;
  /** Icon URL path, e.g. "/static/img/devices/coldcard_icon.svg". */
  readonly icon: string;
  /** The ways this device takes a PSBT (Specter's sdcard / qr / text); all of them when not given. */
  readonly exports?: readonly PsbtExport[];
}

const icon = (file: string) => `/static/img/devices/${file}`;

/** Specter Desktop's device types and icon file names. */
export const BUILTIN_DEVICE_TYPES: readonly DeviceType[] = Object.freeze(
  [
    { type: 'generic', name: 'Other', icon: icon('generic_icon.svg') },
    // USB devices sign through their own apps or HWI, which open a file or take the text.
    { type: 'coldcard', name: 'Coldcard', icon: icon('coldcard_icon.svg'), exports: ['file', 'text'] },
    { type: 'trezor', name: 'Trezor', icon: icon('trezor_icon.svg'), exports: ['file', 'text'] },
    { type: 'ledger', name: 'Ledger', icon: icon('ledger_icon.svg'), exports: ['file', 'text'] },
    { type: 'bitbox02', name: 'BitBox02', icon: icon('bitbox02_icon.svg'), exports: ['file', 'text'] },
    { type: 'jade', name: 'Jade', icon: icon('jade_icon.svg'), exports: ['qr', 'file', 'text'] },
    { type: 'keystone', name: 'Keystone', icon: icon('keystone_icon.svg'), exports: ['qr', 'file'] },
    // SeedSigner has no storage and no cable: the camera is its only way in.
    { type: 'seedsigner', name: 'SeedSigner', icon: icon('seedsigner_icon.svg'), exports: ['qr'] },
    { type: 'specterdiy', name: 'Specter-DIY', icon: icon('specterdiy_icon.svg'), exports: ['qr', 'file', 'text'] },
    { type: 'electrum', name: 'Electrum', icon: icon('electrum_icon.svg'), exports: ['file', 'text', 'qr'] },
  ].map((t) => Object.freeze(t as DeviceType)),
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
    if (
      type.exports !== undefined &&
      (!Array.isArray(type.exports) || !type.exports.length || !type.exports.every((e) => PSBT_EXPORTS.includes(e)))
    ) {
      throw new SpecterError('DEVICE_INVALID', `Device type "${type.type}" has invalid exports ${JSON.stringify(type.exports)}.`, {
        hint: `Give a non-empty list of ${PSBT_EXPORTS.map((e) => `"${e}"`).join(', ')}, or leave it out (all of them).`,
      });
    }
    if (this.types.has(type.type)) {
      throw new SpecterError('DEVICE_TYPE_EXISTS', `Device type "${type.type}" is already registered.`, {
        hint: 'Pick another id for the new device type.',
        details: { type: type.type },
      });
    }
    const frozen: DeviceType = Object.freeze({
      type: type.type,
      name: type.name.trim(),
      icon: type.icon,
      ...(type.exports ? { exports: Object.freeze([...new Set(type.exports)]) } : {}),
    });
    this.types.set(type.type, frozen);
    return frozen;
  }

  /** Removes a type (an extension that registered it was unloaded). Built-in types stay. */
  unregister(type: string): boolean {
    if (BUILTIN_DEVICE_TYPES.some((t) => t.type === type)) return false;
    return this.types.delete(type);
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

/** How a PSBT can go to a device of this type (all ways when the type does not say). */
export function psbtExportsOf(type: DeviceType | undefined): readonly PsbtExport[] {
  return type?.exports ?? PSBT_EXPORTS;
}

/** The ways a PSBT page offers for a wallet's devices: every way one of the devices takes; all when a key has no known device. */
export function exportsFor(devices: ReadonlyArray<{ exports: readonly PsbtExport[] }>, keys: number): Record<PsbtExport, boolean> {
  const ways = devices.length < keys ? new Set<PsbtExport>(PSBT_EXPORTS) : new Set(devices.flatMap((d) => d.exports));
  return { file: ways.has('file'), text: ways.has('text'), qr: ways.has('qr') };
}
