/**
 * What pages, the sidebar and the API show of Bitcoin Core nodes: the active node's cached state
 * (NodeManager.status(), refreshed by the background poll) in display form. Nothing here throws:
 * a node that went away, a broken node file or no node at all each become a state to show.
 */
import type { Specter } from '../specter/index.js';
import { formatCoreVersion, type NodeStatus, type PublicNode } from '../managers/nodes/index.js';

export const CHAIN_NAMES: Record<string, string> = { main: 'Mainnet', test: 'Testnet', testnet4: 'Testnet4', signet: 'Signet', regtest: 'Regtest' };

export interface NodeStateView {
  /** Is there any node at all? */
  configured: boolean;
  alias: string | null;
  name: string | null;
  connected: boolean;
  chain: string | null;
  chain_name: string | null;
  blocks: number | null;
  headers: number | null;
  /** Verification progress in percent (one decimal), null when unknown. */
  sync_pct: number | null;
  /** Still in initial block download (or headers ahead of blocks). */
  syncing: boolean;
  version: string | null;
  subversion: string | null;
  /** What is wrong, with its fix; null while connected. */
  error: string | null;
  error_code: string | null;
  /** Has a poll answered yet (false: nothing is known, not even "as of block N")? */
  checked: boolean;
}

/** A status that no poll has filled yet: the monitor starts with neither an answer nor an error. */
function unchecked(status: NodeStatus): boolean {
  return !status.connected && status.error === null && status.blocks === null;
}

export function stateOf(node: Pick<PublicNode, 'alias' | 'name'> | undefined, status: NodeStatus, configured: boolean): NodeStateView {
  const pct = status.verificationprogress === null ? null : Math.floor(status.verificationprogress * 1000) / 10;
  const syncing = status.initialblockdownload === true || (status.headers !== null && status.blocks !== null && status.headers > status.blocks);
  return {
    configured,
    alias: node?.alias ?? null,
    name: node?.name ?? null,
    connected: status.connected,
    chain: status.chain,
    chain_name: status.chain === null ? null : (CHAIN_NAMES[status.chain] ?? status.chain),
    blocks: status.blocks,
    headers: status.headers,
    sync_pct: pct,
    syncing,
    version: status.version === null ? null : formatCoreVersion(status.version),
    subversion: status.subversion,
    error: status.error,
    error_code: status.errorCode,
    checked: !unchecked(status),
  };
}

/**
 * The active node's state. Before the first poll has answered (right after a start, a switch or an
 * add) this waits for that poll — bounded by the poll's own RPC timeout — so a page never shows
 * "unknown" for a node that is up. Never rejects.
 */
export async function activeNodeState(specter: Specter): Promise<NodeStateView> {
  const nodes = specter.nodeManager;
  try {
    const node = await nodes.active();
    if (!node) return stateOf(undefined, nodes.status(), false);
    let status = nodes.status();
    if (status.alias !== node.alias || unchecked(status)) status = await nodes.refreshStatus();
    return stateOf(node, status, true);
  } catch (err) {
    specter.logger.error({ err }, 'could not read the node state');
    const message = (err as { fullMessage?: string; message?: string }).fullMessage ?? (err as Error).message;
    return {
      configured: true,
      alias: null,
      name: null,
      connected: false,
      chain: null,
      chain_name: null,
      blocks: null,
      headers: null,
      sync_pct: null,
      syncing: false,
      version: null,
      subversion: null,
      error: message,
      error_code: (err as { code?: string }).code ?? null,
      checked: true,
    };
  }
}
