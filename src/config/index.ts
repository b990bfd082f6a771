export { BaseConfig, ProductionConfig, DevelopmentConfig, TestConfig, configClasses, type ConfigClass, type Devstatus } from './config-classes.js';
export { loadConfig, explicitSetting, configChain, resolveConfigClass, type AppConfig, type LoadConfigOptions } from './app-config.js';
