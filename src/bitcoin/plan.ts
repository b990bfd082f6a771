/**
 * Descriptor model → derivation plan: each key's branch node (xpub derived along the steps before
 * `*`) computed once, as plain data for derive-core and workers.
 *
 * The xpub is read straight from its Base58Check payload (chain code and key; parseDescriptor has
 * already validated it with bip32) and the steps use derive-core's CKDpub (node:crypto HMAC, native
 * tweak) rather than bip32's `fromBase58().derive()`: with pure-JS hashing that cost ~1 ms per
 * wallet, a fifth of loading 100 wallets. test/unit/bitcoin/deriver.test.ts compares the result
 * with bip32 on both curve backends.
 */
import { SpecterError } from '../errors/index.js';
import { base58CheckDecode } from './base58.js';
import { childNode, type DerivePlan, type PlanKey } from './derive-core.js';
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
  const payload = base58CheckDecode(key.xpub!);
  if (payload?.length !== 78) throw new SpecterError('KEY_INVALID', 'A descriptor key is not a valid extended key.');
  // BIP-32 serialisation: version 4, depth 1, parent fingerprint 4, child number 4, chain code 32, key 33.
  let node = { pub: payload.subarray(45, 78), chainCode: payload.subarray(13, 45) };
  for (const step of keyStepsFor(key, parsed.changeMode, branch)) {
    if (step >= 0x80000000) throw new SpecterError('DESCRIPTOR_INVALID', 'A hardened step cannot follow an extended public key.');
    node = childNode(node.pub, node.chainCode, step);
  }
  const pub = Uint8Array.from(node.pub);
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
