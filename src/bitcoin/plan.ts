/**
 * Descriptor model → derivation plan: each key's branch node (xpub derived along the steps before
 * `*`) computed once with bip32 and the native backend, as plain data for derive-core and workers.
 */
import { SpecterError } from '../errors/index.js';
import { bip32 } from './bip32.js';
import type { DerivePlan, PlanKey } from './derive-core.js';
import type { ChangeMode, DescriptorKey, ParsedDescriptor } from './descriptor.js';
import { NETWORKS } from './networks.js';
import { secpBackend } from './secp.js';

/** Index of the multipath element (or inferred branch) used for receive (0) and change (1). */
export type Branch = 0 | 1;

/** Steps of one key for one path (multipath element, or the /0 → /1 swap for inferred change). */
export function keyStepsFor(key: Pick<DescriptorKey, 'steps' | 'wildcard'>, mode: ChangeMode, path: number): number[] {
  const steps = key.steps.map((s) => (Array.isArray(s) ? s[path]! : (s as number)));
  if (mode === 'inferred' && path === 1 && key.wildcard) steps[steps.length - 1] = 1;
  return steps;
}

function planKey(parsed: ParsedDescriptor, keyIndex: number, branch: Branch): PlanKey {
  const key = parsed.keys[keyIndex]!;
  if (key.pubkey) return { pub: Uint8Array.from(Buffer.from(key.pubkey, 'hex')), chainCode: null, point: null };
  let node = bip32.fromBase58(key.xpub!, NETWORKS[key.network === 'main' ? 'main' : 'test']);
  for (const step of keyStepsFor(key, parsed.changeMode, branch)) node = node.derive(step);
  const pub = Uint8Array.from(node.publicKey);
  if (!key.wildcard) return { pub, chainCode: null, point: null };
  return { pub, chainCode: Uint8Array.from(node.chainCode), point: secpBackend.uncompressed(pub) };
}

export function buildPlan(parsed: ParsedDescriptor, branch: Branch): DerivePlan {
  if (branch === 1 && parsed.changeMode === 'none' && parsed.ranged) {
    throw new SpecterError('DESCRIPTOR_INVALID', 'This descriptor has no change branch, so change addresses cannot be derived.', {
      hint: 'Use a descriptor with …/<0;1>/* keys, or a receive descriptor ending in /0/* (its change twin ends in /1/*).',
    });
  }
  const net = NETWORKS[parsed.network];
  return {
    scriptType: parsed.scriptType,
    threshold: parsed.threshold,
    sorted: parsed.sorted,
    bech32: net.bech32,
    pubKeyHash: net.pubKeyHash,
    scriptHash: net.scriptHash,
    keys: parsed.keys.map((_, i) => planKey(parsed, i, branch)),
  };
}
