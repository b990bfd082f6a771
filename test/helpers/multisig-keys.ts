/**
 * An m-of-n `wsh(sortedmulti(…))` or `sh(wsh(sortedmulti(…)))` regtest wallet whose keys a test holds (BIP-48),
 * and Core signer wallets that each hold ONE of the private keys (standing in for one device each).
 */
import { createHash } from 'node:crypto';
import { withChecksum } from '../../src/bitcoin/index.js';
import { bip32 } from '../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import type { Bitcoind } from './bitcoind.js';

export interface MultisigKey {
  fingerprint: string;
  origin: string;
  tpub: string;
  tprv: string;
}

export interface MultisigKeys {
  threshold: number;
  script: 'wsh' | 'sh-wsh';
  keys: MultisigKey[];
  /** The watch-only `<0;1>` descriptor Specter TS imports. */
  watch: string;
}

/** Wrap `sortedmulti(…)` in the script type. */
const wrap = (script: MultisigKeys['script'], inner: string): string => (script === 'wsh' ? `wsh(${inner})` : `sh(wsh(${inner}))`);

/** n keys from seeds made of `name` (the same name, the same keys); BIP-48 script type 2 (wsh) or 1 (sh-wsh). */
export function multisigKeysFor(name: string, threshold: number, n: number, script: MultisigKeys['script'] = 'wsh'): MultisigKeys {
  const type = script === 'wsh' ? 2 : 1;
  const keys = Array.from({ length: n }, (_, i) => {
    const root = bip32.fromSeed(createHash('sha256').update(`psbt-${name}-${i}`).digest(), NETWORKS.test);
    const fingerprint = Buffer.from(root.fingerprint).toString('hex');
    const account = root.derivePath(`m/48'/1'/0'/${type}'`);
    return { fingerprint, origin: `[${fingerprint}/48h/1h/0h/${type}h]`, tpub: account.neutered().toBase58(), tprv: account.toBase58() };
  });
  const list = keys.map((k) => `${k.origin}${k.tpub}/<0;1>/*`).join(',');
  return { threshold, script, keys, watch: wrap(script, `sortedmulti(${threshold},${list})`) };
}

/** A Core wallet `name` holding the private key of keys[index] only (the others public). */
export async function multisigSigner(core: Bitcoind, name: string, ms: MultisigKeys, index: number, range = 50): Promise<void> {
  const desc = (branch: number) =>
    withChecksum(
      wrap(ms.script, `sortedmulti(${ms.threshold},${ms.keys.map((k, i) => `${k.origin}${i === index ? k.tprv : k.tpub}/${branch}/*`).join(',')})`),
    );
  await core.rpc('createwallet', { wallet_name: name, blank: true });
  const imported = await core.rpc<Array<{ success: boolean; error?: unknown }>>(
    'importdescriptors',
    [
      [
        { desc: desc(0), active: true, internal: false, timestamp: 0, range: [0, range] },
        { desc: desc(1), active: true, internal: true, timestamp: 0, range: [0, range] },
      ],
    ],
    name,
  );
  const failed = imported.find((r) => !r.success);
  if (failed) throw new Error(`importdescriptors into ${name} failed: ${JSON.stringify(failed.error)}`);
}
