export { Specter, type SpecterOptions } from './specter.js';
export { ActivationService } from './activation-service.js';
export { planAuthSwitch, applyAuthSwitch, type AuthSwitchPlan } from './auth-switch.js';
