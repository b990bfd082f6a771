/**
 * The connection test Specter runs before it saves a node, as four checks in order:
 * connectable → credentials → recent version (≥ 25.0) → wallets enabled. The first failure stops
 * the rest and is explained with its fix (the catalogue error's message and hint).
 */
import { SpecterError, isSpecterError } from '../../errors/index.js';
import { autodetectCandidates, expandHome, type DetectedConnection } from './autodetect.js';
import { DEFAULT_RPC_PORTS, type NodeRecord } from './node-record.js';
import { RpcClient, type RpcClientOptions } from './rpc-client.js';
import { MIN_CORE_VERSION, formatCoreVersion, versionTooOld } from './rpc-errors.js';

export const CHECKS = [
  { name: 'connectable', label: 'Bitcoin Core answers on this host and port' },
  { name: 'credentials', label: 'User name and password are accepted' },
  { name: 'version', label: `Bitcoin Core is ${formatCoreVersion(MIN_CORE_VERSION)} or newer` },
  { name: 'wallets', label: "Bitcoin Core's wallet is enabled" },
] as const;

export type CheckName = (typeof CHECKS)[number]['name'];

export interface CheckResult {
  name: CheckName;
  label: string;
  /** null: not run because an earlier check failed. */
  ok: boolean | null;
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  checks: CheckResult[];
  /** The first failure, explained: the catalogue code, what is wrong and how to fix it. */
  failure?: { check: CheckName; code: string; message: string; hint: string | undefined };
  /** The same as a throwable error. */
  error?: SpecterError;
  /** Where it connected, without the password. */
  connection?: Omit<DetectedConnection, 'password'>;
  info?: { version: number; subversion: string; chain: string; blocks: number };
}

/** Connection settings to try for a node record: autodetect candidates, or the record's own. */
export async function connectionCandidates(record: NodeRecord, env: NodeJS.ProcessEnv = process.env): Promise<DetectedConnection[]> {
  if (!record.autodetect) {
    return [
      {
        host: record.host,
        port: record.port ?? DEFAULT_RPC_PORTS.main,
        protocol: record.protocol,
        user: record.user,
        password: record.password,
        source: 'node settings',
        network: undefined,
      },
    ];
  }
  const found = await autodetectCandidates(record.datadir, { env, nodeType: record.node_type });
  if (found.length === 0) {
    const where = expandHome(record.datadir);
    throw new SpecterError(
      'NODE_INVALID',
      `Autodetect found no RPC credentials: no BTC_RPC_USER in the environment, no .cookie and no rpcuser/rpcpassword in ${where}.`,
      {
        hint:
          'Point "datadir" at Bitcoin Core\'s data folder (it holds bitcoin.conf and the .cookie while bitcoind runs), ' +
          'or turn autodetect off and enter host, port, user and password.',
        details: { field: 'datadir' },
      },
    );
  }
  return found;
}

function checkOf(err: SpecterError): CheckName {
  switch (err.key) {
    case 'NODE_AUTH_FAILED':
      return 'credentials';
    case 'NODE_VERSION_TOO_OLD':
      return 'version';
    case 'NODE_WALLETS_DISABLED':
      return 'wallets';
    default:
      return 'connectable';
  }
}

function asSpecterError(err: unknown): SpecterError {
  return isSpecterError(err)
    ? err
    : new SpecterError('INTERNAL', `Connection test failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function result(
  failed: SpecterError | undefined,
  passedMessages: Partial<Record<CheckName, string>>,
  extra: Partial<ConnectionTestResult>,
): ConnectionTestResult {
  const failedCheck = failed ? checkOf(failed) : undefined;
  let reached = false;
  const checks = CHECKS.map(({ name, label }): CheckResult => {
    if (name === failedCheck) {
      reached = true;
      return { name, label, ok: false, message: failed!.fullMessage };
    }
    if (reached) return { name, label, ok: null, message: 'not run' };
    return { name, label, ok: true, message: passedMessages[name] ?? 'ok' };
  });
  if (!failed) return { ok: true, checks, ...extra };
  return {
    ok: false,
    checks,
    failure: { check: failedCheck!, code: failed.code, message: failed.message, hint: failed.hint },
    error: failed,
    ...extra,
  };
}

interface NetworkInfo {
  version: number;
  subversion: string;
}
interface ChainInfo {
  chain: string;
  blocks: number;
}

/** Run the four checks against one set of connection settings. */
export async function testOneConnection(connection: DetectedConnection, options: RpcClientOptions = {}): Promise<ConnectionTestResult> {
  const client = new RpcClient(connection, { timeoutMs: 10_000, ...options });
  const { password: _password, ...shown } = connection;
  try {
    const network = await client.call<NetworkInfo>('getnetworkinfo');
    const chain = await client.call<ChainInfo>('getblockchaininfo');
    const info = { version: network.version, subversion: network.subversion, chain: chain.chain, blocks: chain.blocks };
    const passed = {
      connectable: `Connected to ${client.url} (${connection.source}).`,
      credentials: `Logged in as "${connection.user}".`,
      version: `${network.subversion} (${formatCoreVersion(network.version)}).`,
    };
    if (network.version < MIN_CORE_VERSION)
      return result(versionTooOld(network.version, network.subversion, client.url), passed, { connection: shown, info });
    await client.call('listwallets');
    return result(undefined, { ...passed, wallets: 'Wallet RPCs answer.' }, { connection: shown, info });
  } catch (err) {
    return result(asSpecterError(err), { connectable: `Connected to ${client.url}.` }, { connection: shown });
  } finally {
    client.close();
  }
}

/** Rank of a failure: a candidate that got further is the more useful explanation. */
const depth = (r: ConnectionTestResult): number => r.checks.filter((c) => c.ok === true).length;

/**
 * Test a node record: with autodetect, each candidate in order until one passes (the deepest
 * failure is reported when none does); without, the record's own settings.
 */
export async function testNodeConnection(
  record: NodeRecord,
  env: NodeJS.ProcessEnv = process.env,
  options: RpcClientOptions = {},
): Promise<ConnectionTestResult> {
  let candidates: DetectedConnection[];
  try {
    candidates = await connectionCandidates(record, env);
  } catch (err) {
    return result(asSpecterError(err), {}, {});
  }
  let best: ConnectionTestResult | undefined;
  for (const candidate of candidates) {
    const r = await testOneConnection(candidate, options);
    if (r.ok) return r;
    if (!best || depth(r) > depth(best)) best = r;
  }
  return best!;
}
