import { SpecterError } from '../errors/index.js';
import { explicitSetting, type AppConfig } from '../config/index.js';

/**
 * An extension's configuration (the seed's "Service Configuration"). The config module exports
 * classes or plain objects named like the app's config chain:
 *
 * ```js
 * export class BaseConfig { SWAN_API_URL = 'https://api.swanbitcoin.com' }
 * export class ProductionConfig extends BaseConfig { SWAN_CLIENT_ID = 'prod' }
 * ```
 *
 * Walking the app chain (e.g. TestConfig → BaseConfig), the first export with a matching name is
 * used; its UPPERCASE keys (inherited ones included) are copied into the app config and read as
 * `config.SWAN_API_URL`. A key whose current value is truthy cannot be overridden (Specter raises
 * "tries to override existing key"); falsy values may be, as in Specter.
 */

const UPPERCASE_KEY = /^[A-Z][A-Z0-9_]*$/;

/** UPPERCASE keys of a config export: instance fields and static fields of a class, or an object's keys. */
export function configValues(exported: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const take = (obj: object) => {
    // for…in walks the prototype chain: inherited attributes count, as in Python.
    for (const key in obj) if (UPPERCASE_KEY.test(key) && !(key in out)) out[key] = (obj as Record<string, unknown>)[key];
  };
  if (typeof exported === 'function') {
    const instance: unknown = new (exported as new () => unknown)();
    if (instance && typeof instance === 'object') take(instance);
    // Static fields, own and of the parent classes.
    for (let c: unknown = exported; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      for (const key of Object.keys(c)) if (UPPERCASE_KEY.test(key) && !(key in out)) out[key] = (c as unknown as Record<string, unknown>)[key];
    }
  } else if (exported && typeof exported === 'object') {
    take(exported);
  }
  return out;
}

export interface ConfigMergeResult {
  /** Name of the export that was used, or undefined if none matched the chain. */
  used: string | undefined;
  keys: string[];
  /** Puts back the previous values (when the extension fails later in loading). */
  restore(): void;
}

/**
 * Merges one extension's config module into the app config. All keys are checked before any is
 * written, so a refused override leaves the config untouched.
 */
export function mergeExtensionConfig(options: {
  extId: string;
  module: Record<string, unknown>;
  chain: readonly string[];
  config: AppConfig;
  modulePath?: string;
}): ConfigMergeResult {
  const { extId, module, chain, config } = options;
  const where = options.modulePath ? ` (${options.modulePath})` : '';
  const used = chain.find((name) => Object.hasOwn(module, name) && module[name] !== undefined);
  if (!used) return { used: undefined, keys: [], restore: () => undefined };
  const values = configValues(module[used]);
  // Keys the user set on purpose (env, flags, harness options) keep their value and are no conflict.
  for (const key of Object.keys(values)) {
    const setting = explicitSetting(config, key, values[key]);
    if (setting.explicit) values[key] = setting.value;
  }
  for (const key of Object.keys(values)) {
    if (explicitSetting(config, key, values[key]).explicit) continue;
    const current = (config as Record<string, unknown>)[key];
    if (current) {
      throw new SpecterError('CONFIG_KEY_OVERRIDE', `Config ${used} of extension "${extId}"${where} tries to override existing key ${key}.`, {
        hint: `Prefix the extension's config keys with its id (e.g. ${extId.toUpperCase()}_${key}); the core or another extension already sets ${key}.`,
        details: { ext: extId, key, class: used },
      });
    }
  }
  const previous = new Map<string, { had: boolean; value: unknown }>();
  for (const [key, value] of Object.entries(values)) {
    previous.set(key, { had: Object.hasOwn(config, key), value: (config as Record<string, unknown>)[key] });
    (config as Record<string, unknown>)[key] = value;
  }
  return {
    used,
    keys: Object.keys(values),
    restore: () => {
      for (const [key, prev] of previous) {
        if (prev.had) (config as Record<string, unknown>)[key] = prev.value;
        else delete (config as Record<string, unknown>)[key];
      }
    },
  };
}
