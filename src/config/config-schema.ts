import { z } from 'zod';
import { SpecterError } from '../errors/index.js';

const positiveInt = z.number().int().positive();
const urlPath = z.string().regex(/^\/[^\s?#]*$/, 'must be a path starting with "/"');

/**
 * The core settings' shapes, checked once when the config is loaded (after env overrides and CLI
 * flags), so a bad value stops the start with its name instead of misbehaving later. Extension
 * keys pass through: their extension's config class defines them.
 */
export const appConfigSchema = z.looseObject({
  HOST: z.string().min(1),
  PORT: z.number().int().min(0).max(65_535),
  SPECTER_DATA_FOLDER: z.string().min(1),
  SPECTER_URL_PREFIX: urlPath,
  EXT_URL_PREFIX: urlPath,
  ISOLATED_CLIENT_EXT_URL_PREFIX: urlPath,
  ROOT_URL_REDIRECT: urlPath,
  LOAD_BUILTIN_EXTENSIONS: z.boolean(),
  EXTENSION_LIST: z.array(z.string()),
  SERVICES_LOAD_FROM_CWD: z.boolean(),
  EXTENSIONS_DISABLED: z.array(z.string()),
  SERVICES_DEVSTATUS_THRESHOLD: z.enum(['alpha', 'beta', 'prod'], { error: 'must be alpha, beta or prod' }),
  EXTENSION_ERROR_THRESHOLD: positiveInt,
  LOGIN_RATE_LIMIT: positiveInt,
  SESSION_MAX_AGE: positiveInt,
  USER_SECRET_IDLE_TIMEOUT: positiveInt,
  API_BASIC_CACHE_TTL: z.number().int().nonnegative(),
  SESSION_COOKIE_SECURE: z.boolean(),
  ALLOWED_HOSTS: z.array(z.string().min(1)),
  HANDLER_TIMEOUT: positiveInt,
  REQUEST_TIMEOUT: positiveInt,
  CONNECTION_TIMEOUT: positiveInt,
  EXTENSION_CALLBACK_TIMEOUT: positiveInt,
  EXTENSION_UNLOAD_TIMEOUT: positiveInt,
  // Seconds; fractions allowed (tests poll every 0.2 s).
  NODE_POLL_INTERVAL: z.number().positive(),
  // Seconds; fractions allowed (tests check every 0.05 s).
  PRICE_CHECK_INTERVAL: z.number().positive(),
  PRICE_FETCH_TIMEOUT: positiveInt,
  TOR_OFFLINE: z.boolean(),
  LOG_LEVEL: z.string(),
  DEBUG: z.boolean(),
  TEMPLATES_NO_CACHE: z.boolean(),
});

/** Throws CONFIG_INVALID naming the first bad setting. */
export function checkAppConfig(config: object): void {
  const parsed = appConfigSchema.safeParse(config);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.join('.');
  throw new SpecterError('CONFIG_INVALID', `Setting ${key} is invalid: ${issue.message}.`, {
    hint: `Fix ${key} in the environment or on the command line.`,
    details: { key },
  });
}
