/**
 * Wallet ↔ Core link: a Specter wallet has its watch-only descriptor wallet on the active node
 * (`specter<uid>/<alias>`), and the wallet is bound to the node's chain. Checks come first: a
 * wallet of another network family is NODE_CHAIN_MISMATCH before anything is created or changed.
 */
import { SpecterError } from '../../errors/index.js';
import type { Wallet } from '../wallets/index.js';
import { assertWalletMatchesChain, chainToNetwork, coreWalletName, importWallet, loadCoreWallet } from '../nodes/core-wallets.js';
import type { RpcClient, WalletRpc } from '../nodes/rpc-client.js';
import { RPC_CODES, rpcErrorCode } from '../nodes/rpc-errors.js';
import { emptyChainState, type ChainState } from './chain-state.js';

/** The owner part of Core wallet names: admins share one wallets folder, so they share `admin`. */
export interface ChainUser {
  id: string;
  isAdmin: boolean;
  creationId: string;
}

export function coreUid(user: ChainUser): string {
  return user.isAdmin ? 'admin' : user.creationId || user.id;
}

export interface LinkOptions {
  client: RpcClient;
  version: number;
  chain: string;
  user: ChainUser;
  wallet: Wallet;
  /** The wallet's stored chain state, if any. */
  state: ChainState | undefined;
}

/**
 * Make sure the wallet's Core wallet exists and is loaded; import it (with a rescan from the
 * wallet's blockheight) when it is new to this node. Resolves to the state to sync with: the
 * stored one when it belongs to this chain and Core wallet, else a fresh one.
 */
export async function linkWallet(options: LinkOptions): Promise<{ state: ChainState; imported: boolean }> {
  const { client, chain, wallet } = options;
  assertWalletMatchesChain(wallet.network, chain, wallet.name);
  const name = coreWalletName(coreUid(options.user), wallet.alias);
  await wallet.bindNetwork(chainToNetwork(chain));
  const stored = options.state;
  if (stored && stored.chain === chain && stored.core_wallet === name) {
    try {
      await loadCoreWallet(client, name);
      return { state: stored, imported: false };
    } catch (err) {
      // Gone from the node (another datadir, deleted): import again below, from scratch.
      if (rpcErrorCode(err) !== RPC_CODES.WALLET_NOT_FOUND) throw err;
    }
  }
  const range = Math.max(wallet.derivedCount(false), wallet.derivedCount(true)) - 1;
  await importWallet(client, {
    name,
    receiveDescriptor: wallet.descriptor.receiveDescriptor,
    changeDescriptor: wallet.descriptor.changeDescriptor!,
    range: Math.max(range, 0),
    rescanFrom: wallet.blockheight,
    network: wallet.network,
  });
  return { state: emptyChainState(chain, wallet.network, name), imported: true };
}

/**
 * Core watches each active descriptor over a range (its keypool tops it up to 1,000 past the
 * last used index). When the wallet derived further than Core's range, widen it with
 * importdescriptors (timestamp "now": those addresses are new, nothing to rescan).
 */
export async function ensureCoreRange(rpc: WalletRpc, wallet: Wallet): Promise<boolean> {
  const listed = await rpc.call<{ descriptors: Array<{ desc: string; active: boolean; internal?: boolean; range?: [number, number] }> }>(
    'listdescriptors',
  );
  const requests: Array<Record<string, unknown>> = [];
  for (const internal of [false, true]) {
    const have = listed.descriptors.find((d) => d.active && !!d.internal === internal && d.range);
    const need = wallet.derivedCount(internal) - 1;
    if (have && have.range![1] >= need) continue;
    const desc = internal ? wallet.descriptor.changeDescriptor! : wallet.descriptor.receiveDescriptor;
    requests.push({ desc, active: true, internal, range: [0, Math.max(need, have?.range?.[1] ?? 0)], timestamp: 'now' });
  }
  if (!requests.length) return false;
  const results = await rpc.call<Array<{ success: boolean; error?: { message: string } }>>('importdescriptors', [requests], { timeoutMs: 600_000 });
  const failed = results.find((r) => !r.success);
  if (failed) {
    throw new SpecterError(
      'RPC_ERROR',
      `Bitcoin Core refused to widen the address range of wallet "${wallet.name}": ${failed.error?.message ?? 'unknown error'}`,
      {
        details: { wallet: wallet.alias },
      },
    );
  }
  return true;
}
