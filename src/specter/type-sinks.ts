import type { EndpointRegistry, Extension, TypeRegistry } from '../extensions/index.js';
import type { DeviceTypeRegistry, PsbtExport } from '../managers/devices/index.js';
import type { NodeTypeRegistry } from '../managers/nodes/index.js';

/**
 * What an extension's `devices` module exports: a device type descriptor (an object or a class
 * with static fields). `icon` is a path inside the extension's static folder.
 */
export interface ExtensionDeviceType {
  readonly type: string;
  readonly displayName?: string;
  readonly name?: string;
  readonly icon?: string;
  /** How a PSBT reaches the device: 'file', 'text', 'qr' (all when absent). */
  readonly exports?: readonly PsbtExport[];
}

/** Device and node type descriptors share this shape: a string `type`. */
function isDeviceType(value: unknown): value is ExtensionDeviceType {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Registers extension device types into the DeviceManager's table ("add device" picker). */
export function deviceTypeSink(types: DeviceTypeRegistry, endpoints: EndpointRegistry): TypeRegistry {
  return {
    accepts: isDeviceType,
    register(ext: Extension, value: unknown) {
      const d = value as ExtensionDeviceType;
      const icon = d.icon ? endpoints.urlFor(`${ext.id}_endpoint.static`, { filename: d.icon }) : '/static/img/devices/generic_icon.svg';
      types.register({ type: d.type, name: d.displayName ?? d.name ?? d.type, icon, ...(d.exports !== undefined ? { exports: d.exports } : {}) });
    },
    unregister(_ext: Extension, value: unknown) {
      types.unregister((value as ExtensionDeviceType).type);
    },
  };
}

/** What an extension's `nodes` module exports: `{ type, name }` (object or class with static fields). */
export function nodeTypeSink(types: NodeTypeRegistry): TypeRegistry {
  return {
    accepts: isDeviceType,
    register(ext: Extension, value: unknown) {
      const d = value as ExtensionDeviceType;
      types.register({ type: d.type, name: d.displayName ?? d.name ?? d.type, extensionId: ext.id });
    },
    unregister(_ext: Extension, value: unknown) {
      types.unregister((value as ExtensionDeviceType).type);
    },
  };
}
