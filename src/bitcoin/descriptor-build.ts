/**
 * Builders for wallet descriptors from device keys. Output is canonical (`h` origins, xpub/tpub,
 * `/<0;1>/*` branches, checksum) and has been through parseDescriptor, so every policy rule and
 * the bitcoinerlab cross-check apply to built descriptors too.
 */
import { SpecterError } from '../errors/index.js';
import { parseDescriptor, withChecksum, wrapScript } from './descriptor.js';
import { parseKeyWithOrigin, type KeyWithOrigin } from './key-text.js';
import {
  MULTISIG_SCRIPT_TYPES,
  SINGLE_SIG_SCRIPT_TYPES,
  scriptTypeWords,
  type MultisigScriptType,
  type ScriptType,
  type SingleSigScriptType,
} from './keys.js';
import type { NetworkName } from './networks.js';
import { formatKeyOrigin, parseDerivationPath, parseFingerprint } from './paths.js';

/** A key given as text (`[fp/path]xpub`) or as fields (Specter's device key record shape). */
export type KeyInput = string | { xpub: string; fingerprint?: string | null; originPath?: string | null; derivation?: string | null };

function resolveKey(input: KeyInput, where: string, network?: NetworkName): KeyWithOrigin {
  if (typeof input === 'string') return parseKeyWithOrigin(input, { where, network });
  const path = input.originPath ?? input.derivation ?? null;
  const fp = input.fingerprint ?? null;
  if ((fp === null) !== (path === null)) {
    throw new SpecterError('KEY_ORIGIN_INVALID', `${where}: a key origin needs both the fingerprint and the derivation path.`, {
      hint: 'Give both (e.g. fingerprint 73c5da0a, path m/84h/0h/0h) or neither.',
    });
  }
  const origin = fp !== null ? { fingerprint: parseFingerprint(fp, where), path: parseDerivationPath(path!) } : null;
  return parseKeyWithOrigin(`${origin ? formatKeyOrigin(origin) : ''}${input.xpub}`, { where, network });
}

/** A SLIP-132 key says which script type it was exported for; refuse a contradicting request. */
function checkImpliedType(k: KeyWithOrigin, scriptType: ScriptType, where: string): void {
  const implied = k.key.scriptType;
  if (implied && implied !== scriptType) {
    throw new SpecterError(
      'KEY_INVALID',
      `${where}: the ${k.key.prefix} key was exported for ${scriptTypeWords(implied)} wallets, not for ${scriptTypeWords(scriptType)} wallets.`,
      {
        hint: `Export the device's key for ${scriptTypeWords(scriptType)} wallets (or its plain xpub/tpub), or create a ${scriptTypeWords(implied)} wallet.`,
        details: { implied, requested: scriptType },
      },
    );
  }
}

/** `wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)#checksum` and friends. */
export function singleSigDescriptor(scriptType: SingleSigScriptType, key: KeyInput, options: { network?: NetworkName } = {}): string {
  if (!SINGLE_SIG_SCRIPT_TYPES.includes(scriptType)) {
    throw new SpecterError('DESCRIPTOR_INVALID', `Unknown single-sig script type "${scriptType}".`, {
      hint: `Use one of: ${SINGLE_SIG_SCRIPT_TYPES.join(', ')}.`,
    });
  }
  const k = resolveKey(key, 'The key', options.network);
  checkImpliedType(k, scriptType, 'The key');
  const body = wrapScript(scriptType, `${k.origin ? formatKeyOrigin(k.origin) : ''}${k.key.xpub}/<0;1>/*`);
  return parseDescriptor(withChecksum(body), options).descriptor;
}

export interface MultisigSpec {
  threshold: number;
  keys: KeyInput[];
  /** Default `wsh`. */
  scriptType?: MultisigScriptType;
  /** sortedmulti (default true) or multi. */
  sorted?: boolean;
  network?: NetworkName;
}

/** `wsh(sortedmulti(2,[fp/48h/0h/0h/2h]xpub…/<0;1>/*,…))#checksum`. */
export function multisigDescriptor(spec: MultisigSpec): string {
  const scriptType = spec.scriptType ?? 'wsh';
  if (!MULTISIG_SCRIPT_TYPES.includes(scriptType)) {
    throw new SpecterError('DESCRIPTOR_INVALID', `Unknown multisig script type "${scriptType}".`, {
      hint: `Use one of: ${MULTISIG_SCRIPT_TYPES.join(', ')}.`,
    });
  }
  if (!Array.isArray(spec.keys) || spec.keys.length === 0) {
    throw new SpecterError('DESCRIPTOR_POLICY', 'A multisig wallet needs at least one key.', {
      hint: 'Select the devices whose keys form the wallet.',
    });
  }
  if (!Number.isSafeInteger(spec.threshold)) {
    throw new SpecterError('DESCRIPTOR_POLICY', `The threshold must be a whole number, got ${String(spec.threshold)}.`, {
      hint: `Use a number between 1 and ${spec.keys.length}.`,
    });
  }
  const n = spec.keys.length;
  const parts = spec.keys.map((input, i) => {
    const where = `Key ${i + 1} of ${n}`;
    const k = resolveKey(input, where, spec.network);
    if (k.key.scriptType && !MULTISIG_SCRIPT_TYPES.includes(k.key.scriptType as MultisigScriptType)) {
      throw new SpecterError('KEY_INVALID', `${where}: the ${k.key.prefix} key is for ${scriptTypeWords(k.key.scriptType)} wallets, not multisig.`, {
        hint: "Use the device's multisig key (path m/48h/…/2h for Segwit, …/1h for Nested Segwit; exported as Zpub/Ypub or xpub).",
      });
    }
    checkImpliedType(k, scriptType, where);
    return `${k.origin ? formatKeyOrigin(k.origin) : ''}${k.key.xpub}/<0;1>/*`;
  });
  const body = wrapScript(scriptType, `${spec.sorted === false ? 'multi' : 'sortedmulti'}(${spec.threshold},${parts.join(',')})`);
  return parseDescriptor(withChecksum(body), { network: spec.network }).descriptor;
}
