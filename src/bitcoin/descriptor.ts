/**
 * Descriptor parsing into the model the wallets use, with the policy checks (BIP-383 limits,
 * duplicate keys, one network) and canonical formatting.
 *
 * Canonical form: `h` hardened markers, xpub/tpub keys, lowercase hex, `<0;1>` multipath (the
 * old `{0,1}` is read too), always followed by `#checksum`.
 *
 * Receive/change: a multipath `<a;b>` gives receive a, change b. A descriptor whose ranged keys all
 * end in `/0/*` is a receive descriptor whose change twin has `/1/*` (Specter's convention).
 *
 * Every accepted descriptor is also parsed by @bitcoinerlab/descriptors and its first script must
 * equal ours: two independent implementations have to agree before a wallet uses it.
 */
import { SpecterError } from '../errors/index.js';
import { bitcoinerlabScriptPubKey } from './bitcoinerlab.js';
import { descriptorChecksum } from './descriptor-checksum.js';
import { scriptPubKeyFromKeys, keysAt } from './derive-core.js';
import { parseDescriptorSyntax } from './descriptor-syntax.js';
import { formatKeyHead, formatKeySteps, parseKeyExpression, type KeyExpression } from './key-expression.js';
import { assertKeyNetwork, type ScriptType } from './keys.js';
import { familyLabel, getNetwork, type KeyNetwork, type NetworkName } from './networks.js';
import { formatDerivationPath } from './paths.js';
import { buildPlan } from './plan.js';

export interface DescriptorKey {
  /** Master fingerprint from the key origin (8 lowercase hex), or null. */
  fingerprint: string | null;
  /** Origin path like "m/48h/0h/0h/2h" (Specter's `derivation`), or null. */
  originPath: string | null;
  /** Canonical xpub/tpub, or null for a plain public key. */
  xpub: string | null;
  /** Hex public key for non-extended keys, else null. */
  pubkey: string | null;
  network: KeyNetwork | null;
  /** Steps after the key as written, e.g. "/<0;1>/*" or "/0/*". */
  derivation: string;
  /** The whole canonical key expression. */
  expression: string;
  /** Parsed steps (arrays are multipath tuples) and wildcard. */
  steps: ReadonlyArray<number | readonly number[]>;
  wildcard: boolean;
}

export type ChangeMode = 'multipath' | 'inferred' | 'none';

export interface ParsedDescriptor {
  kind: 'singlesig' | 'multisig';
  scriptType: ScriptType;
  /** Signatures required (1 for single-sig). */
  threshold: number;
  sorted: boolean;
  keys: DescriptorKey[];
  network: NetworkName;
  /** "2 of 3" for multisig, "single key" for single-sig. */
  policy: string;
  /** At least one key ends in `/*`. */
  ranged: boolean;
  /** Length of the multipath tuples (1 when there are none). */
  pathCount: number;
  /** How change addresses are found: multipath <a;b>, inferred from /0/*, or none. */
  changeMode: ChangeMode;
  /** Canonical form of the input, with checksum. */
  descriptor: string;
  /** Single-path receive descriptor (`/0/*`), with checksum. */
  receiveDescriptor: string;
  /** Single-path change descriptor (`/1/*`), with checksum; null when changeMode is 'none'. */
  changeDescriptor: string | null;
  /** `<0;1>` form, with checksum; null when changeMode is 'none'. */
  multipathDescriptor: string | null;
}

export interface ParseDescriptorOptions {
  /** Expected network. Keys must belong to its family; signet/regtest can only be told this way. */
  network?: NetworkName | string;
  /**
   * Skip the cross-check against bitcoinerlab (~20–90 ms of pure-JS curve code per descriptor, and
   * loading the library, 190–750 ms). Only for a descriptor this app cross-checked when it saved it
   * (a wallet record whose stamp matches; see wallet-record.ts). Every other check still runs.
   */
  trusted?: boolean;
}

/** Which keys a derivation path selects: `path` picks tuple element i; `multipath` writes <0;1>. */
type Selection = { path: number } | 'as-is' | 'multipath';

export function withChecksum(body: string): string {
  return `${body}#${descriptorChecksum(body)}`;
}

function policyError(message: string, hint: string, details: Record<string, unknown> = {}): SpecterError {
  return new SpecterError('DESCRIPTOR_POLICY', message, { hint, details });
}

function maxKeys(scriptType: ScriptType): number {
  // BIP-383: 15 compressed keys fit the 520-byte P2SH redeem script limit; 20 elsewhere.
  return scriptType === 'sh' ? 15 : 20;
}

function keyIdentity(k: KeyExpression): string {
  if (k.pubkey) return Buffer.from(k.pubkey.length === 33 ? k.pubkey.subarray(1) : k.pubkey.subarray(1, 33)).toString('hex');
  return Buffer.from(k.xpub!.publicKey).toString('hex') + Buffer.from(k.xpub!.chainCode).toString('hex');
}

function checkThreshold(raw: string, n: number, scriptType: ScriptType): number {
  if (!/^\d+$/.test(raw))
    throw policyError(
      `The multisig threshold "${raw}" is not a number.`,
      'Write the number of required signatures first, e.g. sortedmulti(2,KEY1,KEY2,KEY3).',
    );
  const k = Number(raw);
  if (k < 1)
    throw policyError('The multisig threshold is 0: at least 1 signature must be required.', 'Use a threshold between 1 and the number of keys.');
  if (k > n)
    throw policyError(
      `The multisig threshold ${k} is larger than the number of keys (${n}): such a wallet could never spend.`,
      `Use a threshold between 1 and ${n}, or add keys.`,
      { threshold: k, keys: n },
    );
  const max = maxKeys(scriptType);
  if (n > max) {
    throw policyError(
      `${n} keys is too many for ${scriptType === 'sh' ? 'legacy P2SH' : scriptType === 'sh-wsh' ? 'nested segwit' : 'segwit'} multisig: the maximum is ${max}.`,
      scriptType === 'sh' ? 'Use wsh() (native segwit, up to 20 keys) or fewer keys.' : 'Use at most 20 keys.',
      { keys: n, max },
    );
  }
  return k;
}

function resolveNetwork(keys: KeyExpression[], wanted: NetworkName | undefined): NetworkName {
  let first: { family: KeyNetwork; index: number } | undefined;
  for (const [i, k] of keys.entries()) {
    if (!k.xpub) continue;
    if (wanted) assertKeyNetwork(k.xpub, wanted, `Key ${i + 1}`);
    if (!first) first = { family: k.xpub.network, index: i };
    else if (first.family !== k.xpub.network) {
      throw new SpecterError(
        'KEY_NETWORK_MISMATCH',
        `The descriptor mixes networks: key ${first.index + 1} is a ${familyLabel(first.family)} key, key ${i + 1} a ${familyLabel(k.xpub.network)} key.`,
        {
          hint: 'All keys of a wallet must come from the same network; export the missing keys for the right network.',
        },
      );
    }
  }
  // Keys only tell mainnet from the test family; signet/regtest must come from the caller.
  return wanted ?? (first?.family === 'test' ? 'test' : 'main');
}

function changeModeOf(keys: KeyExpression[], pathCount: number): ChangeMode {
  if (pathCount === 2) return 'multipath';
  if (pathCount > 2) return 'none';
  const ranged = keys.filter((k) => k.wildcard);
  if (ranged.length && ranged.every((k) => k.steps.length > 0 && k.steps[k.steps.length - 1] === 0)) return 'inferred';
  return 'none';
}

function formatBody(
  syntax: { scriptType: ScriptType; threshold: number; sorted: boolean; multisig: boolean },
  keys: KeyExpression[],
  mode: ChangeMode,
  sel: Selection,
): string {
  const keyText = keys.map((k) => {
    let steps: string;
    if (sel === 'as-is') steps = formatKeySteps(k);
    else if (sel === 'multipath' && mode === 'multipath') steps = formatKeySteps(k);
    else if (sel === 'multipath') {
      steps = formatKeySteps(k);
      if (k.wildcard) steps = steps.replace(/\/0\/\*$/, '/<0;1>/*');
    } else {
      const path = sel.path;
      steps = formatKeySteps(k, (t) => t[path]!);
      if (mode === 'inferred' && path === 1 && k.wildcard) steps = steps.replace(/\/0\/\*$/, '/1/*');
    }
    return formatKeyHead(k) + steps;
  });
  const inner = syntax.multisig ? `${syntax.sorted ? 'sortedmulti' : 'multi'}(${syntax.threshold},${keyText.join(',')})` : keyText[0]!;
  return wrapScript(syntax.scriptType, inner);
}

/** A script type's wrapper around its inner expression: `wsh(…)`, `sh(wpkh(…))`, … */
export function wrapScript(scriptType: ScriptType, inner: string): string {
  switch (scriptType) {
    case 'wpkh':
      return `wpkh(${inner})`;
    case 'pkh':
      return `pkh(${inner})`;
    case 'tr':
      return `tr(${inner})`;
    case 'sh-wpkh':
      return `sh(wpkh(${inner}))`;
    case 'wsh':
      return `wsh(${inner})`;
    case 'sh-wsh':
      return `sh(wsh(${inner}))`;
    case 'sh':
      return `sh(${inner})`;
  }
}

function toModelKey(k: KeyExpression): DescriptorKey {
  return {
    fingerprint: k.origin?.fingerprint ?? null,
    originPath: k.origin ? formatDerivationPath(k.origin.path) : null,
    xpub: k.xpub?.xpub ?? null,
    pubkey: k.pubkey ? Buffer.from(k.pubkey).toString('hex') : null,
    network: k.xpub?.network ?? null,
    derivation: formatKeySteps(k),
    expression: formatKeyHead(k) + formatKeySteps(k),
    steps: k.steps.map((s) => (Array.isArray(s) ? Object.freeze([...s]) : s)),
    wildcard: k.wildcard,
  };
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
    Object.freeze(obj);
    for (const v of Object.values(obj)) deepFreeze(v);
  }
  return obj;
}

/** Parse without the cache and the cross-check (used by parseDescriptor). */
function parseUncached(text: string, options: ParseDescriptorOptions): ParsedDescriptor {
  const syntax = parseDescriptorSyntax(text);
  const wanted = options.network === undefined ? undefined : getNetwork(options.network).name;
  const label = (i: number) => (syntax.multisig ? `Key ${i + 1} of ${syntax.keys.length}` : 'The key');
  const keys = syntax.keys.map((t, i) => parseKeyExpression(t, syntax.keyContext, label(i)));
  const threshold = syntax.multisig ? checkThreshold(syntax.threshold!, keys.length, syntax.scriptType) : 1;
  const network = resolveNetwork(keys, wanted);

  const seen = new Map<string, number>();
  keys.forEach((k, i) => {
    const id = keyIdentity(k);
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw policyError(
        `Key ${i + 1} uses the same key as key ${prev + 1}: a multisig wallet needs ${keys.length} different keys.`,
        'Use one key per device; remove the duplicate or add the missing device.',
        { duplicate: [prev + 1, i + 1] },
      );
    }
    seen.set(id, i);
  });

  const lengths = new Set(keys.flatMap((k) => k.steps.filter(Array.isArray).map((t) => (t as number[]).length)));
  if (lengths.size > 1) {
    throw new SpecterError('DESCRIPTOR_INVALID', `The multipath steps have different lengths (${[...lengths].join(' and ')}).`, {
      hint: 'All <…;…> steps in one descriptor must have the same number of values, e.g. <0;1> everywhere.',
    });
  }
  const pathCount = lengths.size ? [...lengths][0]! : 1;
  const changeMode = changeModeOf(keys, pathCount);
  const shape = { scriptType: syntax.scriptType, threshold, sorted: syntax.sorted, multisig: syntax.multisig };
  const body = formatBody(shape, keys, changeMode, 'as-is');
  const hasChange = changeMode !== 'none';
  return {
    kind: syntax.multisig ? 'multisig' : 'singlesig',
    scriptType: syntax.scriptType,
    threshold,
    sorted: syntax.sorted,
    keys: keys.map(toModelKey),
    network,
    policy: syntax.multisig ? `${threshold} of ${keys.length}` : 'single key',
    ranged: keys.some((k) => k.wildcard),
    pathCount,
    changeMode,
    descriptor: withChecksum(body),
    receiveDescriptor: withChecksum(formatBody(shape, keys, changeMode, { path: 0 })),
    changeDescriptor: hasChange ? withChecksum(formatBody(shape, keys, changeMode, { path: 1 })) : null,
    multipathDescriptor: hasChange ? withChecksum(formatBody(shape, keys, changeMode, 'multipath')) : null,
  };
}

/** Compare our first receive script with bitcoinerlab's; see the module comment. */
function crossCheck(parsed: ParsedDescriptor): void {
  const plan = buildPlan(parsed, 0);
  const ours = scriptPubKeyFromKeys(plan, keysAt(plan, 0));
  const body = parsed.receiveDescriptor.slice(0, parsed.receiveDescriptor.indexOf('#'));
  const family = parsed.network === 'main' ? 'main' : parsed.network === 'regtest' ? 'regtest' : 'test';
  let theirs: Buffer;
  try {
    theirs = bitcoinerlabScriptPubKey(body, family, parsed.ranged);
  } catch (err) {
    throw new SpecterError('DESCRIPTOR_INVALID', `The descriptor was rejected by the descriptor validator: ${(err as Error).message}`, {
      hint: 'Check the descriptor against BIP-380…386, or report it if you believe it is valid.',
      cause: err,
    });
  }
  if (!ours.equals(theirs)) {
    throw new SpecterError('INTERNAL', 'Two descriptor implementations disagree on the first script of this descriptor; refusing to use it.', {
      details: { descriptor: parsed.descriptor, ours: ours.toString('hex'), theirs: theirs.toString('hex') },
    });
  }
}

/** Parsed descriptors, and whether the cross-check has run for them (a trusted parse skips it). */
const cache = new Map<string, { parsed: ParsedDescriptor; crossChecked: boolean }>();
const CACHE_SIZE = 256;

/**
 * Parse, validate and canonicalise a descriptor. Results are cached and deep-frozen.
 * Errors: DESCRIPTOR_INVALID, DESCRIPTOR_CHECKSUM, DESCRIPTOR_POLICY, KEY_INVALID,
 * KEY_ORIGIN_INVALID, KEY_NETWORK_MISMATCH.
 */
export function parseDescriptor(text: string, options: ParseDescriptorOptions = {}): ParsedDescriptor {
  if (typeof text !== 'string') throw new SpecterError('DESCRIPTOR_INVALID', 'The descriptor must be a string.');
  const cacheKey = `${options.network ?? ''}|${text}`;
  const hit = cache.get(cacheKey);
  if (hit) {
    if (!options.trusted && !hit.crossChecked) {
      crossCheck(hit.parsed);
      hit.crossChecked = true;
    }
    return hit.parsed;
  }
  const parsed = parseUncached(text, options);
  if (!options.trusted) crossCheck(parsed);
  deepFreeze(parsed);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, { parsed, crossChecked: !options.trusted });
  return parsed;
}

/** Combine a `/0/*` receive and a `/1/*` change descriptor into one wallet descriptor (`<0;1>`). */
export function combineDescriptors(receive: string, change: string, options: ParseDescriptorOptions = {}): ParsedDescriptor {
  const r = parseDescriptor(receive, options);
  const c = parseDescriptor(change, options);
  if (r.changeMode !== 'inferred' || c.receiveDescriptor !== r.changeDescriptor) {
    throw new SpecterError('DESCRIPTOR_INVALID', 'The change descriptor is not the receive descriptor with /1/* in place of /0/*.', {
      hint: 'Pass the two descriptors of the same wallet: receive (…/0/*) and change (…/1/*).',
    });
  }
  return parseDescriptor(r.multipathDescriptor!, options);
}
