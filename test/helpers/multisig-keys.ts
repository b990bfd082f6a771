/**
 * An m-of-n `wsh(sortedmulti(…))` regtest wallet whose keys a test holds (BIP-48 script type 2),
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
  keys: MultisigKey[];
  /** The watch-only `<0;1>` descriptor Specter TS imports. */
  watch: string;
}

/** n keys from seeds made of `name` (the same name, the same keys). */
export function multisigKeysFor(name: string, threshold: number, n: number): MultisigKeys {
  const keys = Array.from({ length: n }, (_, i) => {
    const root = bip32.fromSeed(createHash('sha256').update(`psbt-${name}-${i}`).digest(), NETWORKS.test);
    const fingerprint = Buffer.from(root.fingerprint).toString('hex');
    const account = root.derivePath("m/48'/1'/0'/2'");
    return { fingerprint, origin: `[${fingerprint}/48h/1h/0h/2h]`, tpub: account.neutered().toBase58(), tprv: account.toBase58() };
  });
  const list = (branch: string, privateFor?: number) => keys.map((k, i) => `${k.origin}${i === privateFor ? k.tprv : k.tpub}/${branch}/*`).join(',');
  return { threshold, keys, watch: `wsh(sortedmulti(${threshold},${list('<0;1>')}))` };
}

/** A Core wallet `name` holding the private key of keys[index] only (the others public). */
export async function multisigSigner(core: Bitcoind, name: string, ms: MultisigKeys, index: number, range = 50): Promise<void> {
  const desc = (branch: number) =>
    withChecksum(`wsh(sortedmulti(${ms.threshold},${ms.keys.map((k, i) => `${k.origin}${i === index ? k.tprv : k.tpub}/${branch}/*`).join(',')}))`);
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
