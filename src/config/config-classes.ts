import os from 'node:os';
import path from 'node:path';

/**
 * The app configuration chain, after Specter Desktop's `config.py`: plain classes whose UPPERCASE
 * instance fields are the settings. Other code (the extension config merge) walks the chain with
 * {@link configChain}, so keep every config a subclass of {@link BaseConfig}.
 */
export type Devstatus = 'alpha' | 'beta' | 'prod';

export class BaseConfig {
  HOST = '127.0.0.1';
  PORT = 25441;
  SPECTER_DATA_FOLDER = path.join(os.homedir(), '.specter-ts');
  /** Core UI lives under this prefix; the session cookie is scoped to it. */
  SPECTER_URL_PREFIX = '/spc';
  EXT_URL_PREFIX = '/spc/ext';
  ISOLATED_CLIENT_EXT_URL_PREFIX = '/ext';
  ROOT_URL_REDIRECT = '/spc/';
  /** Load the extensions shipped in Specter TS's own `extensions/` folder. */
  LOAD_BUILTIN_EXTENSIONS = true;
  /** Extension ids/paths/package names to load in addition to the built-in folder. */
  EXTENSION_LIST: string[] = [];
  SERVICES_LOAD_FROM_CWD = false;
  /** Extension ids an admin switched off (status `disabled`; their code never runs). */
  EXTENSIONS_DISABLED: string[] = [];
  SERVICES_DEVSTATUS_THRESHOLD: Devstatus = 'prod';
  /** Errors from one extension's callbacks/jobs before it is switched off. */
  EXTENSION_ERROR_THRESHOLD = 5;
  /** Login attempts per minute per client address. */
  LOGIN_RATE_LIMIT = 10;
  /** Session lifetime in seconds. */
  SESSION_MAX_AGE = 60 * 60 * 24 * 7;
  /** Seconds a decrypted user secret stays in memory without use; then the user must log in again to unlock it. */
  USER_SECRET_IDLE_TIMEOUT = 30 * 60;
  /** Seconds a successful HTTP Basic check of the JSON API is remembered (in memory, keyed by an HMAC). 0 = never. */
  API_BASIC_CACHE_TTL = 60;
  /** Serve cookies with the Secure flag (behind TLS). */
  SESSION_COOKIE_SECURE = false;
  /**
   * Host names the app answers for besides loopback and HOST (reverse proxies, an onion address).
   * Any other `Host` header is refused: the DNS-rebinding defence.
   */
  ALLOWED_HOSTS: string[] = [];
  /** Longest a route handler may take, in milliseconds, before it answers 503 (streams excepted). */
  HANDLER_TIMEOUT = 30_000;
  /** Longest a client may take to send a whole request, in milliseconds. */
  REQUEST_TIMEOUT = 60_000;
  /** Idle socket timeout, in milliseconds. */
  CONNECTION_TIMEOUT = 120_000;
  /** Longest one extension callback or page hook may take, in milliseconds; then it counts as failed. */
  EXTENSION_CALLBACK_TIMEOUT = 1_000;
  /** Longest an unloading extension's requests in flight, running jobs and stop() are awaited, in milliseconds (each). */
  EXTENSION_UNLOAD_TIMEOUT = 10_000;
  /** Seconds between checks of the active Bitcoin Core node (the sidebar's state; a node that comes back is reconnected by the next check). */
  NODE_POLL_INTERVAL = 10;
  /** Seconds between two checks of the fiat price provider (Settings → Price). */
  PRICE_CHECK_INTERVAL = 600;
  /** Longest one price provider may take to answer, in milliseconds; then the check fails and the last price stays. */
  PRICE_FETCH_TIMEOUT = 10_000;
  /**
   * The built-in Tor connects to nothing outside this machine (its only bridge is 127.0.0.1:9): its
   * SOCKS port and the onion service work, the Tor network is never reached (tests).
   */
  TOR_OFFLINE = false;
  LOG_LEVEL = 'info';
  DEBUG = false;
  /** Re-read templates from disk on every render (development). */
  TEMPLATES_NO_CACHE = false;
}

export class ProductionConfig extends BaseConfig {}

export class DevelopmentConfig extends BaseConfig {
  override SPECTER_DATA_FOLDER = path.join(os.homedir(), '.specter-ts-dev');
  override SERVICES_LOAD_FROM_CWD = true;
  override SERVICES_DEVSTATUS_THRESHOLD: Devstatus = 'alpha';
  override LOG_LEVEL = 'debug';
  override DEBUG = true;
  override TEMPLATES_NO_CACHE = true;
}

export class TestConfig extends BaseConfig {
  override PORT = 0;
  override SERVICES_DEVSTATUS_THRESHOLD: Devstatus = 'beta';
  override LOG_LEVEL = 'silent';
  /** Tests hammer the login form; keep the limit out of their way unless a test sets it. */
  override LOGIN_RATE_LIMIT = 1000;
  /** No test reaches the Tor network. */
  override TOR_OFFLINE = true;
}

export type ConfigClass = new () => BaseConfig;

export const configClasses: Record<string, ConfigClass> = {
  BaseConfig,
  ProductionConfig,
  DevelopmentConfig,
  TestConfig,
};
