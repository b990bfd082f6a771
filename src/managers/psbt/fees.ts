/**
 * Fee-rate suggestions from Bitcoin Core's `estimatesmartfee`, as Specter's "bitcoin_core" fee
 * source: fast (next block), medium (3 blocks), slow (6 blocks) and minimum (20 blocks), in
 * sat/vB. Core has no estimate until it has seen many blocks with transactions (always so on
 * regtest) or when it fails: then 1 sat/vB stands in and `notice` says so, so a page can show it
 * instead of silently suggesting a rate nobody computed.
 */
import type { RpcClient } from '../nodes/rpc-client.js';
import { btcToSats } from '../chain/amounts.js';

export const FEE_TARGETS = { fast: 1, medium: 3, slow: 6, minimum: 20 } as const;
export type FeeSpeed = keyof typeof FEE_TARGETS;

export interface FeeEstimates {
  fast: number;
  medium: number;
  slow: number;
  minimum: number;
  /**
   * `core` when every rate came from Core's estimate, `fallback` when some or all are 1 sat/vB,
   * `mempool` / `custom` when an outside source answered (fee-source.ts).
   */
  source: 'core' | 'fallback' | 'mempool' | 'custom';
  notice: string | null;
}

/** Core's answer for one target: feerate in BTC/kvB, or errors. */
export interface SmartFee {
  feerate?: number;
  errors?: string[];
}

const FALLBACK = 1;

/** BTC/kvB → sat/vB with one decimal, at least 1 (the default minimum relay fee). */
function satPerVbyte(feerate: number): number {
  return Math.max(FALLBACK, Math.round(btcToSats(feerate) / 100) / 10);
}

/** Turn Core's answers (or failures, as undefined) into suggestions. */
export function feesFromCore(answers: Record<FeeSpeed, SmartFee | undefined>, failure?: string): FeeEstimates {
  const missing: string[] = [];
  const rate = (speed: FeeSpeed): number => {
    const answer = answers[speed];
    if (answer?.feerate !== undefined && answer.feerate > 0) return satPerVbyte(answer.feerate);
    missing.push(...(answer?.errors ?? []));
    return FALLBACK;
  };
  const estimates = { fast: rate('fast'), medium: rate('medium'), slow: rate('slow'), minimum: rate('minimum') };
  // Slower never suggests more than faster (Core's targets can cross right after a fee spike).
  estimates.medium = Math.min(estimates.medium, estimates.fast);
  estimates.slow = Math.min(estimates.slow, estimates.medium);
  estimates.minimum = Math.min(estimates.minimum, estimates.slow);
  const complete = Object.values(answers).every((a) => a?.feerate !== undefined && a.feerate > 0);
  if (complete && !failure) return { ...estimates, source: 'core', notice: null };
  const why = failure ?? ([...new Set(missing)].join('; ') || 'no estimate');
  return {
    ...estimates,
    source: 'fallback',
    notice: `Bitcoin Core has no fee estimate (${why}); ${FALLBACK} sat/vB is suggested where it had none. Check the current fees elsewhere before sending.`,
  };
}

export async function estimateFees(client: RpcClient): Promise<FeeEstimates> {
  const speeds = Object.keys(FEE_TARGETS) as FeeSpeed[];
  try {
    const results = await client.batch<SmartFee[]>(
      speeds.map((s) => ({ method: 'estimatesmartfee', params: [FEE_TARGETS[s]] })),
      { timeoutMs: 10_000 },
    );
    const answers = Object.fromEntries(speeds.map((s, i) => [s, results[i]?.ok ? results[i].result : undefined])) as Record<
      FeeSpeed,
      SmartFee | undefined
    >;
    return feesFromCore(answers);
  } catch (err) {
    const none = Object.fromEntries(speeds.map((s) => [s, undefined])) as Record<FeeSpeed, SmartFee | undefined>;
    return feesFromCore(none, (err as Error).message);
  }
}
