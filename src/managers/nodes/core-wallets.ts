/**
 * Watch-only wallets on the node, Specter's way: each Specter wallet is a descriptor wallet on Core
 * named `specter<uid>/<alias>` (private keys disabled, blank), with its receive and change
 * descriptors imported active over a range covering the keypool. Loaded at start, unloaded on
 * delete. A wallet's key family (mainnet vs test networks) must match the node's chain.
 *
 * Version differences handled here: Core ≥ 30 has only descriptor wallets and its `descriptors`
 * argument is a leftover that must be true; older releases get `descriptors: true` explicitly.
 */
import { SpecterError } from '../../errors/index.js';
import { getNetwork, networkFamily, type NetworkName } from '../../bitcoin/index.js';
import type { RpcClient } from './rpc-client.js';
import { MIN_CORE_VERSION, RPC_CODES, rpcErrorCode, versionTooOld } from './rpc-errors.js';

/** `specter<uid>/<alias>`: one folder of wallets per Specter user in Core's wallet directory. */
export function coreWalletName(uid: string, alias: string): string {
  if (!/^[A-Za-z0-9._-]*$/.test(uid) || !/^[A-Za-z0-9_-]{1,100}$/.test(alias)) {
    throw new SpecterError('VALIDATION', `"${uid}" / "${alias}" cannot name a wallet on the node.`, {
      hint: 'User ids and wallet aliases use letters, digits, ".", "_" and "-" only.',
    });
  }
  return `specter${uid}/${alias}`;
}

/** Core's `chain` ("main", "test", "testnet4", "signet", "regtest") as a Specter network name. */
export function chainToNetwork(chain: string): NetworkName {
  return getNetwork(chain).name;
}

/** A wallet's network and the node's chain must be of one family (xpub ↔ main; tpub ↔ test/signet/regtest). */
export function assertWalletMatchesChain(walletNetwork: NetworkName, chain: string, walletName: string): void {
  const nodeNetwork = chainToNetwork(chain);
  if (networkFamily(walletNetwork) !== networkFamily(nodeNetwork)) {
    const label = (n: NetworkName): string => (networkFamily(n) === 'main' ? 'mainnet' : `a test network (${n})`);
    const runs = chain === 'main' ? 'mainnet' : chain;
    throw new SpecterError('NODE_CHAIN_MISMATCH', `Wallet "${walletName}" is a ${label(walletNetwork)} wallet but the node runs ${runs}.`, {
      hint:
        "Connect a node of the wallet's network (mainnet keys need a mainnet node; tpub keys a testnet, signet or regtest node), " +
        "or use keys of the node's network.",
      details: { walletNetwork, chain },
    });
  }
}

export interface NodeInfo {
  version: number;
  subversion: string;
  chain: string;
  blocks: number;
}

/** Version and chain, checking the version against the minimum. */
export async function nodeInfo(client: RpcClient): Promise<NodeInfo> {
  const [network, chain] = await Promise.all([
    client.call<{ version: number; subversion: string }>('getnetworkinfo'),
    client.call<{ chain: string; blocks: number }>('getblockchaininfo'),
  ]);
  if (network.version < MIN_CORE_VERSION) throw versionTooOld(network.version, network.subversion, client.url);
  return { version: network.version, subversion: network.subversion, chain: chain.chain, blocks: chain.blocks };
}

/** Load a wallet; already loaded is fine. Resolves to true when it was loaded now. */
export async function loadCoreWallet(client: RpcClient, name: string): Promise<boolean> {
  try {
    await client.call('loadwallet', [name], { timeoutMs: 120_000, noReload: true });
    return true;
  } catch (err) {
    if (rpcErrorCode(err) === RPC_CODES.WALLET_ALREADY_LOADED) return false;
    throw err;
  }
}

/** Unload a wallet (on delete); not loaded is fine. The wallet's files stay in Core's wallet folder. */
export async function unloadCoreWallet(client: RpcClient, name: string): Promise<boolean> {
  try {
    await client.call('unloadwallet', [name], { timeoutMs: 120_000 });
    return true;
  } catch (err) {
    if (rpcErrorCode(err) === RPC_CODES.WALLET_NOT_FOUND) return false;
    throw err;
  }
}

export interface ImportWalletOptions {
  /** Core wallet name, usually coreWalletName(uid, alias). */
  name: string;
  /** Single-path descriptors with checksum (`…/0/*`, `…/1/*`). */
  receiveDescriptor: string;
  changeDescriptor: string;
  /** Last index to watch (inclusive), or [first, last]. */
  range: number | [number, number];
  /** Rescan from this block height (the wallet's `blockheight`), or 'now' for new keys: no rescan. */
  rescanFrom: number | 'now';
  /** The wallet's network; checked against the node's chain. */
  network: NetworkName;
  /** Bound of the import call (it rescans); default 1 hour. */
  timeoutMs?: number;
}

export interface ImportWalletResult {
  name: string;
  /** false when the wallet already existed on the node (it is loaded and the descriptors re-imported). */
  created: boolean;
  /** false when the existing wallet already watched both descriptors: nothing imported, no rescan. */
  imported: boolean;
  /** The timestamp given to importdescriptors. */
  timestamp: number | 'now';
  node: NodeInfo;
}

/** Block height → the timestamp importdescriptors rescans from (0 = genesis; past the tip = now). */
async function rescanTimestamp(client: RpcClient, from: number | 'now', tip: number): Promise<number | 'now'> {
  if (from === 'now' || from > tip) return 'now';
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new SpecterError('VALIDATION', `The rescan height must be a block height (0 or more), got ${String(from)}.`, {
      details: { field: 'rescanFrom' },
    });
  }
  if (from === 0) return 0;
  const hash = await client.call<string>('getblockhash', [from]);
  return (await client.call<{ time: number }>('getblockheader', [hash, true])).time;
}

/** The ranges of the wallet's active receive and change descriptors (listdescriptors). */
interface CoreDescriptor {
  desc: string;
  active: boolean;
  internal?: boolean;
  range?: [number, number];
}

/** A descriptor as Core lists it: no checksum, hardened steps as "h" (older Cores printed "'"). */
const normalDescriptor = (desc: string): string => desc.replace(/#[0-9a-z]{8}$/, '').replace(/'/g, 'h');

/** The active receive and change descriptors of a Core wallet. */
async function activeDescriptors(
  client: RpcClient,
  name: string,
): Promise<{ receive: CoreDescriptor | undefined; change: CoreDescriptor | undefined }> {
  const listed = await client.call<{ descriptors: CoreDescriptor[] }>('listdescriptors', [], { wallet: name });
  const pick = (internal: boolean) => listed.descriptors.find((d) => d.active && !!d.internal === internal && d.range);
  return { receive: pick(false), change: pick(true) };
}

/** Create (or reuse) the watch-only descriptor wallet on the node and import both descriptors active. */
export async function importWallet(client: RpcClient, options: ImportWalletOptions): Promise<ImportWalletResult> {
  const node = await nodeInfo(client);
  assertWalletMatchesChain(options.network, node.chain, options.name);
  const range = typeof options.range === 'number' ? [0, options.range] : options.range;
  if (!range.every((n) => Number.isSafeInteger(n) && n >= 0) || range[0]! > range[1]!) {
    throw new SpecterError('VALIDATION', `The descriptor range ${JSON.stringify(options.range)} is invalid.`, { details: { field: 'range' } });
  }
  const timestamp = await rescanTimestamp(client, options.rescanFrom, node.blocks);

  let created = true;
  try {
    await client.call(
      'createwallet',
      {
        wallet_name: options.name,
        disable_private_keys: true,
        blank: true,
        load_on_startup: false,
        ...(node.version < 300000 ? { descriptors: true } : {}),
      },
      { timeoutMs: 60_000 },
    );
  } catch (err) {
    // -4 "Database already exists": the wallet was made before (an earlier import, another install).
    if (rpcErrorCode(err) !== RPC_CODES.WALLET_ERROR || !/already exists/i.test((err as Error).message)) throw err;
    created = false;
    await loadCoreWallet(client, options.name);
  }

  const current = created ? { receive: undefined, change: undefined } : await activeDescriptors(client, options.name);
  // The wallet already watches exactly these descriptors over the range (our earlier import, and
  // only the cache beside it was lost): importing again would only rescan for nothing — minutes on
  // a big history. A wallet of the same name with other keys (an alias used again) is imported.
  const watches = (have: CoreDescriptor | undefined, desc: string) =>
    have !== undefined && normalDescriptor(have.desc) === normalDescriptor(desc) && have.range![1] >= range[1]!;
  if (watches(current.receive, options.receiveDescriptor) && watches(current.change, options.changeDescriptor)) {
    return { name: options.name, created: false, imported: false, timestamp, node };
  }
  // Core refuses a re-import whose range is smaller than what it already watches (its keypool
  // extends active ranges past what was asked), so a second import widens to cover both.
  const widen = (have: CoreDescriptor | undefined): [number, number] =>
    have?.range ? [Math.min(range[0]!, have.range[0]), Math.max(range[1]!, have.range[1])] : [range[0]!, range[1]!];
  const requests = [
    { desc: options.receiveDescriptor, active: true, internal: false, range: widen(current.receive), timestamp },
    { desc: options.changeDescriptor, active: true, internal: true, range: widen(current.change), timestamp },
  ];
  const results = await client.call<Array<{ success: boolean; error?: { code: number; message: string }; warnings?: string[] }>>(
    'importdescriptors',
    [requests],
    { wallet: options.name, timeoutMs: options.timeoutMs ?? 3_600_000 },
  );
  const failed = results.findIndex((r) => !r.success);
  if (failed >= 0) {
    const why = results[failed]!.error?.message ?? 'unknown error';
    const which = failed === 0 ? 'receive' : 'change';
    throw new SpecterError('RPC_ERROR', `Bitcoin Core refused the ${which} descriptor of wallet "${options.name}": ${why}`, {
      hint: "Check that the descriptor is a public (xpub/tpub) ranged descriptor of the node's network.",
      details: { wallet: options.name, rpcCode: results[failed]!.error?.code, rpcMessage: why },
    });
  }
  return { name: options.name, created, imported: true, timestamp, node };
}
