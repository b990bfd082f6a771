/**
 * Public test descriptors for extension authors' tests: keys of the published BIP-39 test
 * mnemonics ("abandon … about", "legal winner … yellow", "letter advice … above"), so no real
 * funds are ever involved. Checksums are added by Specter TS on import.
 */
const ABANDON_84 =
  '[73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V';
const MULTISIG = [
  '[73c5da0a/48h/0h/0h/2h]xpub6DkFAXWQ2dHxq2vatrt9qyA3bXYU4ToWQwCHbf5XB2mSTexcHZCeKS1VZYcPoBd5X8yVcbXFHJR9R8UCVpt82VX1VhR28mCyxUFL4r6KFrf',
  '[b8688df1/48h/0h/0h/2h]xpub6FQya7zGhR92kacYsNnjreouvnHJMpXYsUXnW6NJJAJRCKsa26TzDy4LdnGhEurr3d6y1J8PJ7EEMKQp74XTqYvmGJNogYXSKDszYHtF8mX',
  '[28645006/48h/0h/0h/2h]xpub6DnEBNkSJKBYQmsbhS1sP9cNdtU5c9PLFGCjTJmxicxc13WB8zNNGQazabQpyFAGW5bV9tMko4uBxDxjUKL6dSAcx1tEbgEHtgSqyRsekh6',
];

export const TEST_DESCRIPTORS = {
  /** Single-sig native segwit (BIP-84); first receive address bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu. */
  singleSig: `wpkh(${ABANDON_84}/<0;1>/*)`,
  /** 2-of-3 native segwit multisig (BIP-48 keys). */
  multisig2of3: `wsh(sortedmulti(2,${MULTISIG.map((k) => `${k}/<0;1>/*`).join(',')}))`,
} as const;
