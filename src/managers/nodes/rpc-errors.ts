/**
 * Every way a Bitcoin Core RPC call can fail, turned into a catalogue error with the fix as hint.
 * The RPC client calls these; nothing here does I/O. Messages name the node's URL (never the
 * credentials) and, for Core's own errors, Core's code and text.
 */
import { SpecterError } from '../../errors/index.js';

/** Bitcoin Core's RPC error codes that Specter TS reacts to (src/rpc/protocol.h). */
export const RPC_CODES = {
  MISC_ERROR: -1,
  WALLET_ERROR: -4,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  WALLET_NOT_FOUND: -18,
  WALLET_NOT_SPECIFIED: -19,
  IN_WARMUP: -28,
  WALLET_ALREADY_LOADED: -35,
  METHOD_NOT_FOUND: -32601,
} as const;

/** Oldest Core we talk to: descriptor wallets with `importdescriptors` active ranges, `getdeploymentinfo`, PSBT fixes. */
export const MIN_CORE_VERSION = 250000;

/** Where a call went, for messages. `url` never holds credentials. */
export interface RpcTarget {
  url: string;
  method: string;
  wallet?: string | undefined;
}

/** Methods that need Core's wallet; "method not found" for one of them means wallets are disabled. */
const WALLET_METHODS = new Set([
  'listwallets',
  'listwalletdir',
  'createwallet',
  'loadwallet',
  'unloadwallet',
  'getwalletinfo',
  'importdescriptors',
  'getnewaddress',
  'getrawchangeaddress',
  'getbalances',
  'listtransactions',
  'listsinceblock',
  'listunspent',
  'lockunspent',
  'listlockunspent',
  'setlabel',
  'getaddressinfo',
  'gettransaction',
  'walletcreatefundedpsbt',
  'walletprocesspsbt',
  'rescanblockchain',
  'abortrescan',
  'sendtoaddress',
  'getbalance',
  'listdescriptors',
]);

function where(target: RpcTarget): string {
  return target.wallet === undefined ? target.url : `${target.url} (wallet "${target.wallet}")`;
}

/** Core's code (as in RPC_CODES) of an RPC_ERROR / RPC_WALLET_NOT_LOADED error, else undefined. */
export function rpcErrorCode(err: unknown): number | undefined {
  if (!(err instanceof SpecterError)) return undefined;
  const code = err.details.rpcCode;
  return typeof code === 'number' ? code : undefined;
}

const CONNECTION_HINT =
  'Check that bitcoind is running with server=1, and that host, port and protocol match its rpcport/rpcbind ' +
  '(mainnet 8332, testnet 18332, signet 38332, regtest 18443).';

/** Socket-level failures: refused, unknown host, reset, unreachable network. */
export function connectionError(err: unknown, target: RpcTarget): SpecterError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const why =
    code === 'ECONNREFUSED'
      ? 'refused the connection (nothing listens on that port)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'has a host name that does not resolve'
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? 'closed the connection'
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
            ? 'is not reachable on the network'
            : `cannot be reached (${code || (err as Error | undefined)?.message || 'unknown error'})`;
  return new SpecterError('NODE_UNREACHABLE', `Bitcoin Core at ${target.url} ${why}.`, {
    hint: CONNECTION_HINT,
    details: { url: target.url, method: target.method, errno: code || undefined },
    cause: err,
  });
}

export function timeoutError(target: RpcTarget, timeoutMs: number): SpecterError {
  return new SpecterError('NODE_TIMEOUT', `Bitcoin Core at ${where(target)} did not answer "${target.method}" within ${timeoutMs / 1000} s.`, {
    hint: 'The node may be busy (initial sync, rescan) or the host/port may lead somewhere that never answers; try again, ' + 'or check the address.',
    details: { url: target.url, method: target.method, timeoutMs },
  });
}

/** An HTTP answer that carries no JSON-RPC reply. */
export function httpError(status: number, body: string, target: RpcTarget): SpecterError {
  const details = { url: target.url, method: target.method, httpStatus: status };
  if (status === 401 || status === 403) {
    return new SpecterError('NODE_AUTH_FAILED', `Bitcoin Core at ${target.url} refused the RPC user name or password (HTTP ${status}).`, {
      hint: 'Use the rpcuser/rpcpassword (or rpcauth) from bitcoin.conf, or turn on autodetect to use the .cookie file of the data folder.',
      details,
    });
  }
  // Core answers 503 with an empty body while it shuts down (http_reject_request_cb) and 503
  // "Work queue depth exceeded" when busy: only the second is "try again later".
  if (status === 503 && body.trim() === '') {
    return new SpecterError('NODE_UNREACHABLE', `Bitcoin Core at ${target.url} is shutting down (it rejected "${target.method}" with HTTP 503).`, {
      hint: CONNECTION_HINT,
      details,
    });
  }
  if (status === 503 || /work queue depth exceeded/i.test(body)) {
    return new SpecterError('NODE_BUSY', `Bitcoin Core at ${target.url} is running hot: its RPC work queue is full.`, {
      hint: 'Wait a moment and try again; if it keeps happening raise rpcworkqueue (and rpcthreads) in bitcoin.conf.',
      details,
    });
  }
  if (status === 404 && target.wallet !== undefined) return walletsDisabled(target);
  return new SpecterError(
    'RPC_BAD_RESPONSE',
    `${target.url} answered "${target.method}" with HTTP ${status} and no JSON-RPC reply: ${body.slice(0, 200)}`,
    {
      hint: "Check that host and port point at Bitcoin Core's RPC port, not another service.",
      details,
    },
  );
}

export function badResponse(target: RpcTarget, why: string): SpecterError {
  return new SpecterError('RPC_BAD_RESPONSE', `${target.url} sent an invalid JSON-RPC reply to "${target.method}": ${why}.`, {
    hint: "Check that host and port point at Bitcoin Core's RPC port, not another service.",
    details: { url: target.url, method: target.method },
  });
}

export function walletsDisabled(target: RpcTarget): SpecterError {
  return new SpecterError('NODE_WALLETS_DISABLED', `Bitcoin Core at ${target.url} has its wallet disabled ("${target.method}" is not available).`, {
    hint: 'Specter TS keeps watch-only wallets on the node: remove disablewallet=1 from bitcoin.conf (or -disablewallet) and restart bitcoind.',
    details: { url: target.url, method: target.method },
  });
}

/** Core answered with `error: {code, message}`. */
export function coreError(code: number, message: string, target: RpcTarget): SpecterError {
  const details = { url: target.url, method: target.method, wallet: target.wallet, rpcCode: code, rpcMessage: message };
  if (code === RPC_CODES.IN_WARMUP) {
    return new SpecterError('NODE_WARMING_UP', `Bitcoin Core at ${target.url} is starting: ${message}`, {
      hint: 'Wait until bitcoind has loaded its block index and wallets (a minute or two after a start), then try again.',
      details,
    });
  }
  if (code === RPC_CODES.WALLET_NOT_FOUND && target.wallet !== undefined) {
    return new SpecterError('RPC_WALLET_NOT_LOADED', `Wallet "${target.wallet}" is not loaded on Bitcoin Core at ${target.url}: ${message}`, {
      hint: "Check that the wallet exists in Core's wallet folder (listwalletdir) and that the node is the one the wallet was created on.",
      details,
    });
  }
  if (code === RPC_CODES.METHOD_NOT_FOUND && WALLET_METHODS.has(target.method)) return walletsDisabled(target);
  return new SpecterError('RPC_ERROR', `Bitcoin Core at ${where(target)} refused "${target.method}": ${message} (RPC error ${code}).`, { details });
}

export function versionTooOld(version: number, subversion: string, url: string): SpecterError {
  return new SpecterError(
    'NODE_VERSION_TOO_OLD',
    `Bitcoin Core at ${url} is version ${formatCoreVersion(version)} (${subversion}); ` +
      `Specter TS needs ${formatCoreVersion(MIN_CORE_VERSION)} or newer.`,
    {
      hint: 'Upgrade Bitcoin Core to a current release.',
      details: { url, version, subversion },
    },
  );
}

/** 290300 → "29.3.0" (getnetworkinfo.version is major·10000 + minor·100 + patch). */
export function formatCoreVersion(version: number): string {
  return `${Math.floor(version / 10000)}.${Math.floor(version / 100) % 100}.${version % 100}`;
}
