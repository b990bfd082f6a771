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
  hwi_bridge_url: z.string().default('/hwi/api/'),
  unit: z.enum(['btc', 'sat']).default('btc'),
  price_check: z.boolean().default(false),
  alt_rate: z.number().default(1),
  alt_symbol: z.string().default('BTC'),
  fee_estimator: z.string().default('mempool'),
});

export type SpecterConfigData = z.infer<typeof configSchema>;

export const CONFIG_FILE = 'config.json';

/** Manages config.json: validated reads, atomic writes, no side effects beyond the file. */
export class ConfigManager {
  private data!: SpecterConfigData;
  readonly filePath: string;

  constructor(dataFolder: string, private readonly store: JsonFileStore) {
    this.filePath = path.join(dataFolder, CONFIG_FILE);
  }

  async load(): Promise<void> {
    const raw = await this.store.read<unknown>(this.filePath);
    const parsed = configSchema.safeParse(raw ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SpecterError('DATA_FILE_CORRUPT', `${this.filePath}: field "${issue?.path.join('.')}" is invalid (${issue?.message}).`, {
        hint: 'Fix the value in config.json or restore config.json.bkp.',
        details: { path: this.filePath },
      });
    }
    this.data = parsed.data;
    if (raw === undefined) await this.save();
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
    await this.store.write(this.filePath, this.data);
  }
}
