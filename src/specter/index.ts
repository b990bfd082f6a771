export { Specter, type SpecterOptions } from './specter.js';
export { planAuthSwitch, applyAuthSwitch, encryptedServicesFile, type AuthSwitchPlan } from './auth-switch.js';
