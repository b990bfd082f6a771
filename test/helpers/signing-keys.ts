/**
 * A BIP-84 regtest wallet whose keys a test holds: the watch-only descriptor Specter TS imports,
 * and the private descriptors a Core wallet imports to sign for it (standing in for the device).
 */
import { createHash } from 'node:crypto';
import { withChecksum } from '../../src/bitcoin/index.js';
import { bip32 } from '../../src/bitcoin/bip32.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import type { Bitcoind } from './bitcoind.js';

export interface SigningKeys {
  watch: string;
  signing: { receive: string; change: string };
}

/** The keys of a seed made from `name` (the same name, the same keys). */
export function keysFor(name: string): SigningKeys {
  const root = bip32.fromSeed(createHash('sha256').update(`tx-detail-${name}`).digest(), NETWORKS.test);
  const fp = Buffer.from(root.fingerprint).toString('hex');
  const account = root.derivePath("m/84'/1'/0'");
  const origin = `[${fp}/84h/1h/0h]`;
  return {
    watch: `wpkh(${origin}${account.neutered().toBase58()}/<0;1>/*)`,
    signing: {
      receive: withChecksum(`wpkh(${origin}${account.toBase58()}/0/*)`),
      change: withChecksum(`wpkh(${origin}${account.toBase58()}/1/*)`),
    },
  };
}

/** A Core wallet `name` holding the signing descriptors (the first `range` addresses of each branch). */
export async function signingWallet(core: Bitcoind, name: string, keys: SigningKeys, range = 50): Promise<void> {
  await core.rpc('createwallet', { wallet_name: name, blank: true });
  const imported = await core.rpc<Array<{ success: boolean; error?: unknown }>>(
    'importdescriptors',
    [
      [
        { desc: keys.signing.receive, active: true, internal: false, timestamp: 0, range: [0, range] },
        { desc: keys.signing.change, active: true, internal: true, timestamp: 0, range: [0, range] },
      ],
    ],
    name,
  );
  const failed = imported.find((r) => !r.success);
  if (failed) throw new Error(`importdescriptors into ${name} failed: ${JSON.stringify(failed.error)}`);
}
