/**
 * Autodetect as Specter (rpc.py autodetect_rpc_confs): where the RPC credentials of a local Core
 * can come from, in the order they are tried:
 *
 *  1. env BTC_RPC_USER / BTC_RPC_PASSWORD (+ BTC_RPC_HOST / _PORT / _PROTOCOL);
 *  2. the `.cookie` of each network folder of the datadir (`""`, testnet3, testnet4, signet, regtest),
 *     with host and port from bitcoin.conf where it sets them for that network, else the chain's
 *     default port — cookie authentication is preferred: nothing secret needs storing;
 *  3. rpcuser/rpcpassword (rpcconnect, rpcport) of `<datadir>/bitcoin.conf` for the chain it selects.
 *
 * The first candidate that answers wins (see NodeManager). A bitcoin.conf that does not parse is an
 * error naming the file and line, not a silently skipped source.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import { confValue, parseBitcoinConf, parseCookie, type BitcoinConf, type ConfNetwork } from './bitcoin-conf.js';
import { DEFAULT_RPC_PORTS } from './node-record.js';
import type { RpcConnection } from './rpc-client.js';

export interface DetectedConnection extends RpcConnection {
  /** Where the credentials came from, for messages: "env", "cookie <file>", "bitcoin.conf <file>". */
  source: string;
  network: ConfNetwork | undefined;
}

const COOKIE_FOLDERS: Record<ConfNetwork, string> = { main: '', test: 'testnet3', testnet4: 'testnet4', signet: 'signet', regtest: 'regtest' };

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SpecterError('NODE_CONF_INVALID', `${file} cannot be read: ${(err as Error).message}`, {
      hint: 'Let the user running Specter TS read the Bitcoin Core data folder, or enter the connection by hand.',
      details: { path: file },
      cause: err,
    });
  }
}

function parsePort(value: string | undefined, where: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new SpecterError('NODE_CONF_INVALID', `${where}: rpcport "${value}" is not a port number.`, {
      hint: 'Use a port between 1 and 65535.',
      details: { value },
    });
  }
  return n;
}

/** rpcconnect may carry a port ("host:port", "[::1]:port"). */
function splitHost(value: string | undefined): { host?: string; port?: number } {
  if (!value) return {};
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { host: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const m = /^([^:]+):(\d+)$/.exec(value);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: value };
}

function fromEnv(env: NodeJS.ProcessEnv, prefix: 'BTC' | 'ELM'): DetectedConnection | undefined {
  const user = env[`${prefix}_RPC_USER`];
  const password = env[`${prefix}_RPC_PASSWORD`];
  if (!user || password === undefined) return undefined;
  const protocol = env[`${prefix}_RPC_PROTOCOL`] === 'https' ? 'https' : 'http';
  return {
    host: env[`${prefix}_RPC_HOST`] || 'localhost',
    port: parsePort(env[`${prefix}_RPC_PORT`], `${prefix}_RPC_PORT`) ?? DEFAULT_RPC_PORTS.main,
    protocol,
    user,
    password,
    source: 'env',
    network: undefined,
  };
}

export interface AutodetectOptions {
  env?: NodeJS.ProcessEnv;
  nodeType?: 'BTC' | 'ELM';
}

/** Read bitcoin.conf of a datadir (undefined when there is none). */
export async function readBitcoinConf(datadir: string): Promise<BitcoinConf | undefined> {
  const file = path.join(expandHome(datadir), 'bitcoin.conf');
  const text = await readText(file);
  return text === undefined ? undefined : parseBitcoinConf(text, file);
}

/** All candidates, in the order to try them. Empty when nothing was found. */
export async function autodetectCandidates(datadir: string, options: AutodetectOptions = {}): Promise<DetectedConnection[]> {
  const env = options.env ?? process.env;
  const dir = expandHome(datadir);
  const out: DetectedConnection[] = [];
  const fromEnvironment = fromEnv(env, options.nodeType ?? 'BTC');
  if (fromEnvironment) out.push(fromEnvironment);

  const confFile = path.join(dir, 'bitcoin.conf');
  const conf = await readBitcoinConf(dir);
  const endpoint = (network: ConfNetwork): { host: string; port: number } => {
    const connect = conf ? splitHost(confValue(conf, network, 'rpcconnect')) : {};
    const port = conf ? parsePort(confValue(conf, network, 'rpcport'), confFile) : undefined;
    return { host: connect.host ?? 'localhost', port: port ?? connect.port ?? DEFAULT_RPC_PORTS[network] };
  };

  // The conf's own chain first, then the others.
  const order: ConfNetwork[] = [conf?.network ?? 'main', ...(['main', 'regtest', 'test', 'testnet4', 'signet'] as const)];
  for (const network of [...new Set(order)]) {
    const cookieFile = path.join(dir, COOKIE_FOLDERS[network], '.cookie');
    const text = await readText(cookieFile);
    if (text === undefined) continue;
    out.push({ ...endpoint(network), protocol: 'http', ...parseCookie(text, cookieFile), source: `cookie ${cookieFile}`, network });
  }

  if (conf) {
    const user = confValue(conf, conf.network, 'rpcuser');
    const password = confValue(conf, conf.network, 'rpcpassword');
    if (user && password !== undefined) {
      out.push({ ...endpoint(conf.network), protocol: 'http', user, password, source: `bitcoin.conf ${confFile}`, network: conf.network });
    }
  }
  return out;
}
