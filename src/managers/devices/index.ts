export { DeviceManager, DEVICES_FOLDER } from './device-manager.js';
export { DeviceTypeRegistry, BUILTIN_DEVICE_TYPES, type DeviceType } from './device-types.js';
export { keyExpression, type Device, type DeviceKey } from './device.js';
export { parseDeviceKey, parseDeviceKeys, scriptTypeFromPath, type DeviceKeyFields, type DeviceKeysInput } from './key-import.js';
export { slugify, uniqueAlias, validateName, isValidAlias } from './alias.js';
