import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';

export const AUTH_METHODS = ['none', 'passwordonly', 'usernamepassword'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * config.json, with Specter Desktop's field names where they exist so a Specter data folder keeps
 * its settings. Fields we do not know are preserved untouched (`looseObject`).
 */
const authSchema = z.looseObject({
  method: z.enum(AUTH_METHODS).default('none'),
  password_min_chars: z.number().int().min(1).max(128).default(6),
  rate_limit: z.number().int().min(1).default(10),
  registration_link_timeout: z.number().default(1),
});

const configSchema = z.looseObject({
  auth: authSchema.default(() => authSchema.parse({})),
  // Specter writes "default" or null before a node exists; NodeManager falls back to the first node.
  active_node_alias: z.string().nullable().default('default'),
  proxy_url: z.string().default('socks5h://localhost:9050'),
  only_tor: z.boolean().default(false),
  tor_control_port: z.union([z.string(), z.number()]).default(''),
  tor_type: z.string().default('none'),
  // Publish the app as an onion service at start (Specter's name).
  tor_status: z.boolean().default(false),
  // The built-in Tor's binary; '' = `tor` on PATH.
  tor_path: z.string().default(''),
  // A custom Tor's control cookie; '' = the file Tor names in PROTOCOLINFO.
  tor_cookie_file: z.string().default(''),
  hwi_bridge_url: z.string().default('/hwi/api/'),
  unit: z.enum(['btc', 'sat']).default('btc'),
  // Fiat price (Settings → Price): on/off, the provider id from a plugin's price_providers
  // ('' = the manual rate alt_rate), and the ISO 4217 currency. Specter keeps a display symbol
  // in alt_symbol; we leave it alone and keep the currency code apart.
  price_check: z.boolean().default(false),
  price_provider: z.string().default(''),
  price_currency: z.string().default('USD'),
  alt_rate: z.number().default(1),
  alt_symbol: z.string().default('BTC'),
  // bitcoin_core | mempool | custom. Specter defaults to mempool; we default to the node, so no
  // third party sees this app's address unless the admin chooses a source (ARCHITECTURE, Tor).
  fee_estimator: z.string().default('bitcoin_core'),
  fee_estimator_custom_url: z.string().default(''),
  /** Plugin signing keys the admin trusts: name → ed25519 public key (base64 or PEM); see docs/extensions/publishing.md. */
  trusted_keys: z.record(z.string(), z.string()).default({}),
  // Extension ids an admin switched off (Choose plugins › Disable). Absent until an admin changes
  // one; then it replaces the EXTENSIONS_DISABLED start value.
  extensions_disabled: z.array(z.string()).optional(),
});

export type SpecterConfigData = z.infer<typeof configSchema>;

export const CONFIG_FILE = 'config.json';

/**
 * Where the auth method came from at load: `file` — config.json names a valid method; `backup` —
 * config.json is missing and its `.bkp` names one (it may be older than the last switch to a
 * password); `default` — nobody named one (no file, `{}`, `null`, `{"auth": {}}`), so "none" is
 * only a default. The start path refuses the last two when they mean "none" but users have
 * passwords (fail closed).
 */
export type AuthMethodSource = 'file' | 'backup' | 'default';

/**
 * Specter Desktop's older config.json had `"auth": "<method>"`; Specter migrates it to
 * `{"method": …}` on load, and so do we. Returns the migrated object and whether anything changed.
 */
function migrateLegacyAuth(raw: unknown): { value: unknown; migrated: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { value: raw, migrated: false };
  const { auth, ...rest } = raw as Record<string, unknown>;
  if (typeof auth === 'string') return { value: { ...rest, auth: { method: auth } }, migrated: true };
  // `"auth": null` and `"method": null` say nothing: treated as unset (then the start check decides).
  if (auth === null) return { value: rest, migrated: false };
  if (typeof auth === 'object' && !Array.isArray(auth) && (auth as Record<string, unknown>).method === null) {
    const { method: _unset, ...others } = auth as Record<string, unknown>;
    return { value: { ...rest, auth: others }, migrated: false };
  }
  return { value: raw, migrated: false };
}

/**
 * Specter Desktop names the price source and currency together (`bitstamp_usd`, `coindesk_eur`,
 * `spotbit_gemini_gbp`); we keep a provider id and `price_currency` apart. A Specter config.json
 * (no `price_currency` yet) is read as the nearest provider here: Bitstamp stays Bitstamp, the
 * others (Coindesk's API is gone, Spotbit is an onion service) become CoinGecko, which prices every
 * currency Specter offered. Returns the config unchanged when there is nothing to read.
 */
export function migrateLegacyPrice(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const data = raw as Record<string, unknown>;
  if (data.price_currency !== undefined || typeof data.price_provider !== 'string') return raw;
  const m = /^(bitstamp|coindesk|spotbit_[a-z]+)_([a-z]{3})$/.exec(data.price_provider);
  if (!m) return raw;
  const provider = m[1] === 'bitstamp' || m[1] === 'spotbit_bitstamp' ? 'bitstamp' : 'coingecko';
  return { ...data, price_provider: provider, price_currency: m[2]!.toUpperCase() };
}

/** The method config.json explicitly names: a valid one, `undefined` when absent, or throws when it names an unknown one. */
function explicitMethod(raw: unknown, filePath: string): AuthMethod | undefined {
  const auth = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).auth : undefined;
  const method = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>).method : undefined;
  if (method === undefined || method === null) return undefined;
  if (typeof method === 'string' && (AUTH_METHODS as readonly string[]).includes(method)) return method as AuthMethod;
  throw new SpecterError('CONFIG_AUTH_UNSET', `${filePath}: auth.method ${JSON.stringify(method)} is not a method Specter TS knows.`, {
    hint: `Set "auth": {"method": …} in ${CONFIG_FILE} to one of ${AUTH_METHODS.join(', ')}, then start again.`,
    details: { path: filePath },
  });
}

/** Manages config.json: validated reads, atomic writes, no side effects beyond the file. */
export class ConfigManager {
  private data!: SpecterConfigData;
  private unsaved = false;
  private source: AuthMethodSource = 'default';
  readonly filePath: string;

  constructor(
    dataFolder: string,
    private readonly store: JsonFileStore,
  ) {
    this.filePath = path.join(dataFolder, CONFIG_FILE);
  }

  /**
   * Reads and validates config.json, migrating Specter's older string form of `auth`. Writes
   * nothing: the start path first checks that the auth method may be used ({@link authMethodSource}),
   * then calls {@link persistLoaded}, so a refused start never leaves a config.json saying "none".
   */
  async load(): Promise<void> {
    const { value, source } = await this.store.readWithSource<unknown>(this.filePath);
    const { value: raw, migrated } = migrateLegacyAuth(value);
    const method = explicitMethod(raw, source === 'backup' ? `${this.filePath}.bkp` : this.filePath);
    this.source = method === undefined ? 'default' : source === 'backup' ? 'backup' : 'file';
    const parsed = configSchema.safeParse(migrateLegacyPrice(raw) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SpecterError('DATA_FILE_CORRUPT', `${this.filePath}: field "${issue?.path.join('.')}" is invalid (${issue?.message}).`, {
        hint: 'Fix the value in config.json or restore config.json.bkp.',
        details: { path: this.filePath },
      });
    }
    this.data = parsed.data;
    this.unsaved = source === 'missing' || migrated;
  }

  /** Writes config.json when load() found none or migrated it; call after the start checks passed. */
  async persistLoaded(): Promise<void> {
    if (!this.unsaved) return;
    await this.save();
    this.unsaved = false;
  }

  /** Where the loaded auth method came from (see {@link AuthMethodSource}). */
  get authMethodSource(): AuthMethodSource {
    return this.source;
  }

  get values(): Readonly<SpecterConfigData> {
    return this.data;
  }

  get authMethod(): AuthMethod {
    return this.data.auth.method;
  }

  get passwordMinChars(): number {
    return this.data.auth.password_min_chars;
  }

  async setAuth(changes: Partial<Pick<SpecterConfigData['auth'], 'method' | 'password_min_chars' | 'rate_limit'>>): Promise<void> {
    const next = authSchema.safeParse({ ...this.data.auth, ...changes });
    if (!next.success) {
      const issue = next.error.issues[0];
      throw new SpecterError('VALIDATION', `Authentication setting "${issue?.path.join('.')}" is invalid (${issue?.message}).`);
    }
    this.data = { ...this.data, auth: next.data };
    await this.save();
  }

  /** Updates general (non-auth) settings, validating the whole result first. */
  async update(changes: Partial<Omit<SpecterConfigData, 'auth'>>): Promise<void> {
    const next = configSchema.safeParse({ ...this.data, ...changes });
    if (!next.success) {
      const issue = next.error.issues[0];
      throw new SpecterError('VALIDATION', `Setting "${issue?.path.join('.')}" is invalid (${issue?.message}).`);
    }
    this.data = next.data;
    await this.save();
  }

  private async save(): Promise<void> {
    this.source = 'file';
    await this.store.write(this.filePath, this.data);
  }
}
