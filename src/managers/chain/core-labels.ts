/**
 * Labels coming back from Bitcoin Core: an address labelled on the node (`setlabel` by hand, or a
 * Core wallet restored elsewhere) shows that label in the wallet.
 *
 * `listlabels`, then `getaddressesbylabel` for each label (batched). Only addresses the wallet
 * has derived count, and only where the wallet has no label of its own: the local label wins
 * (Specter mirrors it to Core with setlabel anyway), and Core's "" label means none. It costs one
 * call per label, so ChainService runs it on a full sync (a new link, a rescan), not on every
 * incremental one.
 */
import type { Wallet } from '../wallets/index.js';
import { validateLabel } from '../wallets/address-book.js';
import type { WalletRpc } from '../nodes/rpc-client.js';
import { SpecterError } from '../../errors/index.js';

/** Labels asked per batch request. */
const BATCH = 500;

/** Adopt Core's labels for the wallet's unlabelled addresses; resolves to how many labels were set. */
export async function pullCoreLabels(rpc: WalletRpc, wallet: Wallet): Promise<number> {
  const labels = (await rpc.call<string[]>('listlabels')).filter((l) => l !== '');
  const adopt: Array<{ address: string; label: string }> = [];
  for (let i = 0; i < labels.length; i += BATCH) {
    const chunk = labels.slice(i, i + BATCH);
    const results = await rpc.batch(
      chunk.map((label) => ({ method: 'getaddressesbylabel', params: [label] })),
      { timeoutMs: 120_000 },
    );
    results.forEach((r, j) => {
      // -11: the label has no address any more (Core lists it until the wallet reloads).
      if (!r.ok) {
        if (r.error.key === 'RPC_ERROR') return;
        throw r.error;
      }
      let label: string | null;
      try {
        label = validateLabel(chunk[j]);
      } catch (err) {
        // Longer than the wallet allows, or control characters: Core's label stays on Core.
        if (err instanceof SpecterError && err.key === 'VALIDATION') return;
        throw err;
      }
      if (label === null) return;
      for (const address of Object.keys(r.result as Record<string, unknown>)) {
        if (!wallet.findAddress(address)) continue;
        if (wallet.getAddressInfo(address).customLabel !== null) continue;
        adopt.push({ address, label });
      }
    });
  }
  if (!adopt.length) return 0;
  // One write for all of them (setLabel would save the address list once per label).
  return (await wallet.applyLabels(adopt, { onlyUnlabelled: true })).applied;
}
