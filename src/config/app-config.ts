import { SpecterError } from '../errors/index.js';
import { BaseConfig, configClasses, type ConfigClass } from './config-classes.js';

/** A resolved configuration: the chosen class's values plus env overrides plus extension keys. */
export type AppConfig = BaseConfig & Record<string, unknown>;

/** The class and its ancestors up to BaseConfig, most specific first (the seed's `__bases__[0]` walk). */
export function configChain(cls: ConfigClass): string[] {
  const names: string[] = [];
  let current: unknown = cls;
  while (typeof current === 'function' && current !== Object && current !== Function.prototype) {
    names.push((current as { name: string }).name);
    if (current === BaseConfig) break;
    current = Object.getPrototypeOf(current);
  }
  return names;
}

export function resolveConfigClass(name: string): ConfigClass {
  const cls = configClasses[name];
  if (!cls) {
    throw new SpecterError('CONFIG_INVALID', `Unknown config "${name}".`, {
      hint: `Use one of: ${Object.keys(configClasses).join(', ')}.`,
    });
  }
  return cls;
}

/**
 * Parses an environment value into the type of the default it overrides, so `PORT=8080` stays a
 * number and `SERVICES_LOAD_FROM_CWD=false` a boolean.
 */
function coerceEnv(key: string, raw: string, current: unknown): unknown {
  if (typeof current === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      throw new SpecterError('CONFIG_INVALID', `Environment variable ${key}="${raw}" is not a number.`, { hint: `Set ${key} to a number.` });
    }
    return n;
  }
  if (typeof current === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new SpecterError('CONFIG_INVALID', `Environment variable ${key}="${raw}" is not a boolean.`, { hint: `Set ${key} to true or false.` });
  }
  if (Array.isArray(current))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return raw;
}

/** Env names that differ from the config key (kept for Specter compatibility and convenience). */
const ENV_ALIASES: Record<string, string> = {
  SPECTER_EXTENSION_LIST: 'EXTENSION_LIST',
};

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit values (CLI flags); they win over env. */
  overrides?: Partial<Record<string, unknown>>;
}

/** What the user set on purpose (env, CLI flags, harness options), per loaded config. */
const explicitSettings = new WeakMap<object, { keys: Set<string>; env: NodeJS.ProcessEnv }>();

export function loadConfig(className = 'ProductionConfig', options: LoadConfigOptions = {}): { config: AppConfig; chain: string[] } {
  const cls = resolveConfigClass(className);
  const config = new cls() as AppConfig;
  const env = options.env ?? process.env;
  const explicit = new Set<string>();
  for (const key of Object.keys(config)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') {
      config[key] = coerceEnv(key, raw, config[key]);
      explicit.add(key);
    }
  }
  for (const [envName, key] of Object.entries(ENV_ALIASES)) {
    const raw = env[envName];
    if (raw !== undefined && raw !== '') {
      config[key] = coerceEnv(envName, raw, config[key]);
      explicit.add(key);
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) {
      config[key] = value;
      explicit.add(key);
    }
  }
  explicitSettings.set(config, { keys: explicit, env });
  const threshold = config.SERVICES_DEVSTATUS_THRESHOLD;
  if (!['alpha', 'beta', 'prod'].includes(threshold)) {
    throw new SpecterError('CONFIG_INVALID', `SERVICES_DEVSTATUS_THRESHOLD "${threshold}" is not a devstatus.`, { hint: 'Use alpha, beta or prod.' });
  }
  return { config, chain: configChain(cls) };
}

/**
 * The value an extension config key gets: an explicit setting (an override given to loadConfig,
 * or an environment variable of that name, typed like the extension's default) wins over the
 * extension's default, so `AUTOWITHDRAW_API_URL=… specter server` works like any core key.
 */
export function explicitSetting(config: AppConfig, key: string, extensionDefault: unknown): { explicit: boolean; value: unknown } {
  const settings = explicitSettings.get(config);
  if (!settings) return { explicit: false, value: extensionDefault };
  if (settings.keys.has(key)) return { explicit: true, value: config[key] };
  const raw = settings.env[key];
  if (raw !== undefined && raw !== '') return { explicit: true, value: coerceEnv(key, raw, extensionDefault) };
  return { explicit: false, value: extensionDefault };
}
