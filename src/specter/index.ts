export { Specter, type SpecterOptions } from './specter.js';
export { ActivationService } from './activation-service.js';
export { planAuthSwitch, applyAuthSwitch, type AuthSwitchPlan } from './auth-switch.js';
export { pluginInstaller, purgeExtensionData, extensionDataInventory, userExtensionFiles, type ExtensionDataInventory } from './plugin-admin.js';
