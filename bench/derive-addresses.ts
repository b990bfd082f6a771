/**
 * Address derivation benchmark: 10,000 receive addresses of a 2-of-3 wsh(sortedmulti) wallet and
 * of a single-sig wpkh wallet. Prints figures only (never asserts).
 *
 *   npx tsc -p . && node dist/bench/derive-addresses.js
 *
 * "cold" = a fresh deriver (branch nodes not derived yet) AND a stopped worker pool, so worker
 * start-up is inside the time; the descriptor text is parsed once beforehand (parsing is cached
 * per descriptor and not part of derivation). Each figure is the median of 3 runs.
 */
const importStart = performance.now();
const bitcoin = await import('../src/bitcoin/index.js');
const importMs = performance.now() - importStart;

const { createAddressDeriver, multisigDescriptor, parseDescriptor, secpBackendName, shutdownDerivationWorkers, singleSigDescriptor } = bitcoin;

const COUNT = 10_000;
const RUNS = 3;

// m/48h/0h/0h/2h of the BIP-39 test mnemonics abandon…about, legal…yellow, letter…above.
const MULTISIG = [
  '[73c5da0a/48h/0h/0h/2h]xpub6DkFAXWQ2dHxq2vatrt9qyA3bXYU4ToWQwCHbf5XB2mSTexcHZCeKS1VZYcPoBd5X8yVcbXFHJR9R8UCVpt82VX1VhR28mCyxUFL4r6KFrf',
  '[b8688df1/48h/0h/0h/2h]xpub6FQya7zGhR92kacYsNnjreouvnHJMpXYsUXnW6NJJAJRCKsa26TzDy4LdnGhEurr3d6y1J8PJ7EEMKQp74XTqYvmGJNogYXSKDszYHtF8mX',
  '[28645006/48h/0h/0h/2h]xpub6DnEBNkSJKBYQmsbhS1sP9cNdtU5c9PLFGCjTJmxicxc13WB8zNNGQazabQpyFAGW5bV9tMko4uBxDxjUKL6dSAcx1tEbgEHtgSqyRsekh6',
];
const BIP84 = '[73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V';

const parseStart = performance.now();
const wallets = {
  '2-of-3 wsh(sortedmulti)': parseDescriptor(multisigDescriptor({ threshold: 2, keys: MULTISIG })),
  wpkh: parseDescriptor(singleSigDescriptor('wpkh', BIP84)),
};
const parseMs = performance.now() - parseStart;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

console.log(`secp256k1 backend: ${secpBackendName}`);
console.log(`module import: ${importMs.toFixed(0)} ms; first parse of both descriptors (loads bitcoinerlab): ${parseMs.toFixed(0)} ms`);
console.log(`${COUNT} receive addresses, median of ${RUNS} runs:`);
for (const [name, parsed] of Object.entries(wallets)) {
  const cold: number[] = [];
  const warm: number[] = [];
  const single: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    await shutdownDerivationWorkers();
    cold.push(await time(() => createAddressDeriver(parsed).derive(0, 0, COUNT)));
    warm.push(await time(() => createAddressDeriver(parsed).derive(0, 0, COUNT)));
    single.push(await time(async () => createAddressDeriver(parsed, { parallelThreshold: Infinity }).derive(0, 0, COUNT)));
  }
  console.log(
    `  ${name.padEnd(24)} cold deriver + cold workers ${fmt(median(cold))}   (warm workers ${fmt(median(warm))}, one thread ${fmt(median(single))})`,
  );
}
await shutdownDerivationWorkers();
