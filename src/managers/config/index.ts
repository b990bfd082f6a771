export { ConfigManager, AUTH_METHODS, CONFIG_FILE, type AuthMethod, type SpecterConfigData } from './config-manager.js';
