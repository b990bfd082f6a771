/**
 * Node files: `<data>/nodes/<alias>.json`, Specter Desktop's format (node.py), so a Specter data
 * folder's nodes load as they are:
 *
 *   {
 *     "python_class": "cryptoadvance.specter.node.Node",   // Specter's; kept, not used
 *     "name": "Bitcoin Core", "alias": "bitcoin_core",
 *     "autodetect": false,          // true: credentials from env / <datadir>/bitcoin.conf / .cookie at each connect
 *     "datadir": "~/.bitcoin",
 *     "user": "bitcoin", "password": "secret",
 *     "port": 8332, "host": "localhost", "protocol": "http",
 *     "node_type": "BTC",           // BTC | ELM: only steers autodetect
 *     "type": "bitcoincore"         // Specter TS: a NodeTypeRegistry id (node types from extensions)
 *   }
 *
 * Reading is liberal (Specter's files have nulls, ports as strings, missing fields: its own read
 * defaults apply); writing is always this canonical shape. Unknown fields are kept. The file is
 * mode 0600 (JsonFileStore writes owner-only files) because Specter's format holds the password.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';

/** Specter's alias rule: lowercase, spaces and hyphens become "_", only [a-z0-9_]. */
export function nodeAliasFromName(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
      .replace(/[^a-z0-9_]/g, '') || 'node'
  );
}

/** Aliases come from URLs and file names: only what nodeAliasFromName can produce. */
export function isValidNodeAlias(alias: unknown): alias is string {
  return typeof alias === 'string' && /^[a-z0-9_]{1,80}$/.test(alias);
}

/** Bitcoin Core's default data folder on this platform (Specter's default `datadir`). */
export function defaultDatadir(): string {
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'Bitcoin');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? homedir(), 'Bitcoin');
  return '~/.bitcoin';
}

const orDefault = <T extends z.ZodType>(schema: T, fallback: () => z.output<T>) =>
  z
    .preprocess((v) => (v === null || v === undefined || v === '' ? undefined : v), schema.optional())
    .transform((v) => (v === undefined ? fallback() : v));

const port = z
  .preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v === '' ? null : v),
    z.number().int().min(1).max(65535).nullable().optional(),
  )
  .transform((v) => v ?? null);

export const nodeRecordSchema = z.looseObject({
  name: z.string().trim().min(1, 'the name is empty').max(100),
  alias: z.string().refine(isValidNodeAlias, 'use lowercase letters, digits and "_"'),
  autodetect: orDefault(z.boolean(), () => true),
  datadir: orDefault(z.string(), defaultDatadir),
  user: orDefault(z.string(), () => ''),
  password: orDefault(z.string(), () => ''),
  port,
  host: orDefault(z.string().trim(), () => 'localhost'),
  protocol: orDefault(z.enum(['http', 'https']), () => 'http' as const),
  node_type: orDefault(z.enum(['BTC', 'ELM']), () => 'BTC' as const),
  type: orDefault(z.string().regex(/^[a-z0-9_]+$/), () => 'bitcoincore'),
});

export type NodeRecord = z.infer<typeof nodeRecordSchema>;

/** What pages and the API may show: the record without its password. */
export type PublicNode = Omit<NodeRecord, 'password'> & { has_password: boolean };

export function toPublic(record: NodeRecord): PublicNode {
  const { password, ...rest } = record;
  return { ...rest, has_password: password !== '' };
}

/** Parse a node file's content; a broken file is DATA_FILE_CORRUPT naming the field. */
export function parseNodeFile(raw: unknown, file: string, expectedAlias: string): NodeRecord {
  const source = raw && typeof raw === 'object' && !Array.isArray(raw) ? { alias: expectedAlias, ...(raw as object) } : raw;
  const parsed = nodeRecordSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SpecterError('DATA_FILE_CORRUPT', `Node file ${file} is invalid: field "${issue?.path.join('.') || '(root)'}" ${issue?.message}.`, {
      hint: `Restore ${file}.bkp, or fix the field by hand (format: see src/managers/nodes/node-record.ts).`,
      details: { path: file },
    });
  }
  // The file name is the alias; Specter never wrote a different one.
  return { ...parsed.data, alias: expectedAlias };
}

/** Validate user input for a node (add/update); errors are NODE_INVALID naming the field. */
export function parseNodeInput(input: unknown): NodeRecord {
  const parsed = nodeRecordSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'node';
    throw new SpecterError('NODE_INVALID', `Node setting "${field}" is invalid: ${issue?.message}.`, {
      hint: field === 'port' ? "Use a port number between 1 and 65535 (Core's rpcport)." : 'Correct the field and try again.',
      details: { field },
    });
  }
  return parsed.data;
}

/** Connection defaults by chain (Core's rpcport defaults). */
export const DEFAULT_RPC_PORTS = { main: 8332, test: 18332, testnet4: 48332, signet: 38332, regtest: 18443 } as const;
