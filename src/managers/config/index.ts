export {
  ConfigManager,
  migrateLegacyPrice,
  AUTH_METHODS,
  CONFIG_FILE,
  type AuthMethod,
  type SpecterConfigData,
  type AuthMethodSource,
} from './config-manager.js';
