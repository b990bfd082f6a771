import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import type { JsonFileStore } from '../../persistence/index.js';
import type { User } from './user.js';

/**
 * API tokens, as BTCPay Server's Greenfield API has them: per user, named, scoped, revocable, so a
 * script need not hold the user's password. A token is shown once, at creation; only its SHA-256
 * is stored. A token is 256 random bits, so a plain hash is enough (no slow KDF) and a check costs
 * microseconds: the token carries its id (`spc_<id>_<secret>`), the id finds the record in a Map,
 * and the hashes are compared in constant time.
 *
 * `read` tokens may only read (GET/HEAD); `full` tokens may do what the user may do through the
 * API. Tokens cannot unlock encrypted extension data: that needs the password (HTTP Basic).
 */
export const API_TOKENS_FILE = 'api_tokens.json';
export const API_TOKEN_SCOPES = ['read', 'full'] as const;
export const MAX_TOKENS_PER_USER = 50;

const TOKEN_RE = /^spc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const tokenRecordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  user_id: z.string().min(1),
  name: z.string().min(1).max(64),
  scope: z.enum(API_TOKEN_SCOPES),
  /** SHA-256 (hex) of the whole token text. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: z.string(),
});
const tokensFileSchema = z.object({ version: z.literal(1), tokens: z.array(tokenRecordSchema) });

export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
export type ApiTokenRecord = z.infer<typeof tokenRecordSchema>;
type TokensFile = z.infer<typeof tokensFileSchema>;
/** What the settings page lists: everything but the hash. */
export type ApiTokenInfo = Omit<ApiTokenRecord, 'hash'>;
export interface VerifiedApiToken {
  user: User;
  scope: ApiTokenScope;
  id: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function checkName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
  if (trimmed.length < 1 || trimmed.length > 64 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new SpecterError('API_TOKEN_INVALID', 'A token name must have 1 to 64 characters (no control characters).', {
      hint: 'Name it after the script that will use it, e.g. "backup script".',
      details: { field: 'name' },
    });
  }
  return trimmed;
}

function checkScope(scope: unknown): ApiTokenScope {
  if (!(API_TOKEN_SCOPES as readonly unknown[]).includes(scope)) {
    throw new SpecterError('API_TOKEN_INVALID', `Token scope ${JSON.stringify(scope)} is unknown.`, {
      hint: 'Choose "read" (GET requests only) or "full".',
      details: { field: 'scope' },
    });
  }
  return scope as ApiTokenScope;
}

export class ApiTokenManager {
  readonly filePath: string;
  #byId = new Map<string, ApiTokenRecord>();

  constructor(
    dataFolder: string,
    private readonly store: JsonFileStore,
    /** Resolves a token's user; a token of a user that no longer exists never verifies. */
    private readonly userById: (id: string) => User | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.filePath = path.join(dataFolder, API_TOKENS_FILE);
  }

  async load(): Promise<void> {
    this.#set(this.#parse(await this.store.read<unknown>(this.filePath)));
  }

  /** A new token for the user. The token text is returned here and never again. */
  async create(user: User, name: string, scope: ApiTokenScope): Promise<{ id: string; token: string; info: ApiTokenInfo }> {
    const record: ApiTokenRecord = {
      id: randomBytes(6).toString('hex'),
      user_id: user.id,
      name: checkName(name),
      scope: checkScope(scope),
      hash: '',
      created_at: this.now().toISOString(),
    };
    const token = `spc_${record.id}_${randomBytes(32).toString('base64url')}`;
    record.hash = sha256(token).toString('hex');
    await this.#mutate((tokens) => {
      if (tokens.filter((t) => t.user_id === user.id).length >= MAX_TOKENS_PER_USER) {
        throw new SpecterError('API_TOKEN_INVALID', `User "${user.username}" already has ${MAX_TOKENS_PER_USER} API tokens.`, {
          hint: 'Revoke tokens that are no longer used, then create the new one.',
        });
      }
      return [...tokens, record];
    });
    return { id: record.id, token, info: this.#info(record) };
  }

  /** The user's tokens, oldest first, without their hashes. */
  list(user: User): ApiTokenInfo[] {
    return [...this.#byId.values()].filter((t) => t.user_id === user.id).map((t) => this.#info(t));
  }

  /** Revokes one of the user's tokens (another user's token id is "not found", never revoked). */
  async revoke(user: User, id: string): Promise<ApiTokenInfo> {
    let removed: ApiTokenRecord | undefined;
    await this.#mutate((tokens) => {
      removed = tokens.find((t) => t.id === id && t.user_id === user.id);
      if (!removed) {
        throw new SpecterError('API_TOKEN_NOT_FOUND', `User "${user.username}" has no API token with id "${id}".`, {
          hint: 'Settings → API tokens lists the tokens and their ids.',
        });
      }
      return tokens.filter((t) => t !== removed);
    });
    return this.#info(removed!);
  }

  /** Who a token belongs to and its scope, or undefined (malformed, unknown, revoked, user gone). Synchronous, microseconds. */
  verify(token: string): VerifiedApiToken | undefined {
    const match = TOKEN_RE.exec(token);
    const record = match ? this.#byId.get(match[1]!) : undefined;
    if (!record) return undefined;
    if (!timingSafeEqual(sha256(token), Buffer.from(record.hash, 'hex'))) return undefined;
    const user = this.userById(record.user_id);
    return user ? { user, scope: record.scope, id: record.id } : undefined;
  }

  /** Removes every token of a user (the user is being deleted). */
  async removeUser(userId: string): Promise<number> {
    const before = this.#byId.size;
    if (![...this.#byId.values()].some((t) => t.user_id === userId)) return 0;
    await this.#mutate((tokens) => tokens.filter((t) => t.user_id !== userId));
    return before - this.#byId.size;
  }

  /** Removes tokens whose user no longer exists (a deletion interrupted before its tokens went). */
  async pruneUsers(existing: ReadonlySet<string>): Promise<void> {
    if ([...this.#byId.values()].every((t) => existing.has(t.user_id))) return;
    await this.#mutate((tokens) => tokens.filter((t) => existing.has(t.user_id)));
  }

  #info({ hash: _hash, ...info }: ApiTokenRecord): ApiTokenInfo {
    return info;
  }

  #parse(raw: unknown): ApiTokenRecord[] {
    if (raw === undefined) return [];
    const parsed = tokensFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SpecterError('DATA_FILE_CORRUPT', `${this.filePath}: field "${issue?.path.join('.')}" is invalid (${issue?.message}).`, {
        hint: `Restore ${API_TOKENS_FILE}.bkp, or delete ${API_TOKENS_FILE} (every API token is then revoked).`,
        details: { path: this.filePath },
      });
    }
    return parsed.data.tokens;
  }

  #set(tokens: ApiTokenRecord[]): void {
    this.#byId = new Map(tokens.map((t) => [t.id, t]));
  }

  /** Read-modify-write under the file's lock; memory changes only after the write succeeded. */
  async #mutate(fn: (tokens: ApiTokenRecord[]) => ApiTokenRecord[]): Promise<void> {
    const next = await this.store.update<TokensFile>(this.filePath, (current) => ({ version: 1, tokens: fn(this.#parse(current)) }));
    this.#set(next.tokens);
  }
}
