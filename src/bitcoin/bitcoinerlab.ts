/**
 * The hand-over to @bitcoinerlab/descriptors: an independent second parse of every descriptor we
 * accept (BIP-380 checksums are computed in descriptor-checksum.ts, so formatting a descriptor does
 * not load this library).
 *
 * Loaded lazily with require(): it is CommonJS and costs ~190 ms to load, which derivation
 * workers and processes that never parse a descriptor should not pay.
 *
 * Its PSBT code serialises `h`-hardened origin steps as unhardened (library-choices §1), so
 * anything handed to it has `h` rewritten to `'` inside key origins first.
 */
import { createRequire } from 'node:module';

type Bitcoinerlab = typeof import('@bitcoinerlab/descriptors');

let lib: Bitcoinerlab | undefined;

export function bitcoinerlab(): Bitcoinerlab {
  lib ??= createRequire(import.meta.url)('@bitcoinerlab/descriptors') as Bitcoinerlab;
  return lib;
}

/** BIP-380 checksum (8 characters) of a descriptor body without `#`, as bitcoinerlab computes it (tests compare). */
export function bitcoinerlabChecksum(body: string): string {
  return bitcoinerlab().checksum(body);
}

/** Rewrite `84h` → `84'` inside `[...]` key origins (the bitcoinerlab workaround). */
export function apostropheOrigins(body: string): string {
  return body.replace(/\[[^\]]*\]/g, (origin) => origin.replace(/(\d+)[hH]/g, "$1'"));
}

/**
 * Output script bitcoinerlab computes for a single-path descriptor body (index 0 when ranged).
 * Throws bitcoinerlab's own error when it rejects the descriptor.
 */
export function bitcoinerlabScriptPubKey(body: string, network: 'main' | 'test' | 'regtest', ranged: boolean): Buffer {
  const d = bitcoinerlab();
  const net = network === 'main' ? d.networks.bitcoin : network === 'regtest' ? d.networks.regtest : d.networks.testnet;
  const expansion = d.expand({
    descriptor: apostropheOrigins(body),
    network: net,
    checksumRequired: false,
    ...(ranged ? { index: 0 } : {}),
  });
  const output = expansion.payment?.output;
  if (!output) throw new Error('bitcoinerlab produced no output script');
  return Buffer.from(output);
}
