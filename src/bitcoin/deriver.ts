/**
 * Address derivers: the fast path from a wallet descriptor to its receive and change addresses.
 *
 * Each key's receive and change branch node is derived once (lazily) and cached, so an address
 * costs one CKDpub per key plus hashing. Batches of `parallelThreshold` or more addresses are split
 * over the worker pool; smaller ones run in the calling thread. The threshold is about the event
 * loop, not throughput: a 2-of-3 address costs ~0.1–0.15 ms here, so the old threshold of 2,000 let a
 * 1,999-address API page hold the main thread for up to 680 ms. Below 32 addresses (≤ ~5 ms) a
 * worker round trip is not worth it; above, the main thread only posts and receives.
 */
import { SpecterError } from '../errors/index.js';
import { deriveRange, keysAt, scriptPubKeyFromKeys, type DerivePlan } from './derive-core.js';
import { parseDescriptor, type ParseDescriptorOptions, type ParsedDescriptor } from './descriptor.js';
import { buildPlan, type Branch } from './plan.js';
import { derivationPool } from './worker-pool.js';

/** Largest batch deriveSync() accepts, so one call cannot block the event loop for long. */
export const MAX_SYNC_COUNT = 5_000;
export const DEFAULT_PARALLEL_THRESHOLD = 32;
const MAX_INDEX = 0x80000000;

export interface DeriverOptions extends ParseDescriptorOptions {
  /** Batches at least this large go to worker threads (default 32; Infinity disables). */
  parallelThreshold?: number;
}

export interface AddressDeriver {
  readonly descriptor: ParsedDescriptor;
  /** Addresses `from … from+count-1` of the receive (0) or change (1) branch. */
  derive(change: Branch, from: number, count: number): Promise<string[]>;
  /** Same in the calling thread; at most MAX_SYNC_COUNT addresses. */
  deriveSync(change: Branch, from: number, count: number): string[];
  /** One address. */
  address(change: Branch, index: number): string;
  /** Output script (scriptPubKey) of one address. */
  scriptPubKey(change: Branch, index: number): Buffer;
}

function validate(change: unknown, from: unknown, count: unknown): void {
  if (change !== 0 && change !== 1) {
    throw new SpecterError('VALIDATION', `change must be 0 (receive) or 1 (change), got ${String(change)}.`, { details: { field: 'change' } });
  }
  if (!Number.isSafeInteger(from) || (from as number) < 0) {
    throw new SpecterError('VALIDATION', `from must be a non-negative integer, got ${String(from)}.`, { details: { field: 'from' } });
  }
  if (!Number.isSafeInteger(count) || (count as number) < 0) {
    throw new SpecterError('VALIDATION', `count must be a non-negative integer, got ${String(count)}.`, { details: { field: 'count' } });
  }
  if ((from as number) + (count as number) > MAX_INDEX) {
    throw new SpecterError('VALIDATION', 'The last index would exceed 2147483647, the largest unhardened BIP-32 index.', {
      details: { field: 'count' },
    });
  }
}

class Deriver implements AddressDeriver {
  private readonly plans: [DerivePlan | undefined, DerivePlan | undefined] = [undefined, undefined];

  constructor(
    readonly descriptor: ParsedDescriptor,
    private readonly parallelThreshold: number,
  ) {}

  private plan(change: Branch): DerivePlan {
    return (this.plans[change] ??= buildPlan(this.descriptor, change));
  }

  deriveSync(change: Branch, from: number, count: number): string[] {
    validate(change, from, count);
    if (count > MAX_SYNC_COUNT) {
      throw new SpecterError('LIMIT_EXCEEDED', `deriveSync() derives at most ${MAX_SYNC_COUNT} addresses per call, ${count} were requested.`, {
        hint: 'Use the asynchronous derive(), which spreads large batches over worker threads.',
      });
    }
    return deriveRange(this.plan(change), from, count);
  }

  async derive(change: Branch, from: number, count: number): Promise<string[]> {
    validate(change, from, count);
    const plan = this.plan(change);
    if (count < this.parallelThreshold) return deriveRange(plan, from, count);
    return derivationPool().derive(plan, from, count);
  }

  address(change: Branch, index: number): string {
    return this.deriveSync(change, index, 1)[0]!;
  }

  scriptPubKey(change: Branch, index: number): Buffer {
    validate(change, index, 1);
    const plan = this.plan(change);
    return scriptPubKeyFromKeys(plan, keysAt(plan, index));
  }
}

/** Create a deriver for a descriptor (text or parsed). Branch nodes are derived on first use. */
export function createAddressDeriver(descriptor: string | ParsedDescriptor, options: DeriverOptions = {}): AddressDeriver {
  const parsed = typeof descriptor === 'string' ? parseDescriptor(descriptor, options) : descriptor;
  return new Deriver(parsed, options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD);
}
