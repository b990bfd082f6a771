export { DeviceManager, DEVICES_FOLDER, type DeviceManagerOptions, type AddKeysOptions } from './device-manager.js';
export {
  DeviceTypeRegistry,
  BUILTIN_DEVICE_TYPES,
  PSBT_EXPORTS,
  exportsFor,
  psbtExportsOf,
  type DeviceType,
  type PsbtExport,
} from './device-types.js';
export { keyExpression, deviceSchema, deviceKeySchema, type Device, type DeviceKey } from './device.js';
export {
  parseDeviceKey,
  parseDeviceKeys,
  parseDeviceKeysAsync,
  MAX_DEVICE_KEYS,
  MAX_DEVICE_KEYS_TEXT,
  KEYS_PER_TURN,
  scriptTypeFromPath,
  type DeviceKeyFields,
  type DeviceKeysInput,
} from './key-import.js';
export { slugify, uniqueAlias, validateName, isValidAlias } from './alias.js';
