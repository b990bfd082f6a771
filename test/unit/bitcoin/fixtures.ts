/**
 * Keys shared by the bitcoin and wallet tests.
 *
 * The multisig keys are m/48h/0h/0h/2h of the three BIP-39 test mnemonics (empty passphrase),
 * computed once with Debian's python3-electrum:
 *   /usr/bin/python3 test/fixtures/python/electrum_addresses.py xpubs
 * The single-sig account keys are the ones published in BIP-84, BIP-49 and BIP-86 for
 * "abandon … about" (Electrum gives the same xpubs; BIP-49/84 print them as ypub/zpub).
 */

export const MNEMONIC_ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

export const MULTISIG_KEYS = {
  abandon: {
    fingerprint: '73c5da0a',
    path: 'm/48h/0h/0h/2h',
    xpub: 'xpub6DkFAXWQ2dHxq2vatrt9qyA3bXYU4ToWQwCHbf5XB2mSTexcHZCeKS1VZYcPoBd5X8yVcbXFHJR9R8UCVpt82VX1VhR28mCyxUFL4r6KFrf',
  },
  legal: {
    fingerprint: 'b8688df1',
    path: 'm/48h/0h/0h/2h',
    xpub: 'xpub6FQya7zGhR92kacYsNnjreouvnHJMpXYsUXnW6NJJAJRCKsa26TzDy4LdnGhEurr3d6y1J8PJ7EEMKQp74XTqYvmGJNogYXSKDszYHtF8mX',
  },
  letter: {
    fingerprint: '28645006',
    path: 'm/48h/0h/0h/2h',
    xpub: 'xpub6DnEBNkSJKBYQmsbhS1sP9cNdtU5c9PLFGCjTJmxicxc13WB8zNNGQazabQpyFAGW5bV9tMko4uBxDxjUKL6dSAcx1tEbgEHtgSqyRsekh6',
  },
} as const;

/** `[fp/48h/0h/0h/2h]xpub…` for each multisig key, in abandon, legal, letter order. */
export const MULTISIG_KEY_TEXTS = Object.values(MULTISIG_KEYS).map((k) => `[${k.fingerprint}/${k.path.slice(2)}]${k.xpub}`);

/** BIP-84: m/84h/0h/0h of "abandon … about". */
export const BIP84 = {
  xpub: 'xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V',
  zpub: 'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs',
  receive: ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g'],
  change: ['bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el'],
};

/** BIP-49 mainnet account m/49h/0h/0h (the brief's vector) and BIP-49's own testnet vector. */
export const BIP49 = {
  xpub: 'xpub6C6nQwHaWbSrzs5tZ1q7m5R9cPK9eYpNMFesiXsYrgc1P8bvLLAet9JfHjYXKjToD8cBRswJXXbbFpXgwsswVPAZzKMa1jUp2kVkGVUaJa7',
  ypub: 'ypub6Ww3ibxVfGzLrAH1PNcjyAWenMTbbAosGNB6VvmSEgytSER9azLDWCxoJwW7Ke7icmizBMXrzBx9979FfaHxHcrArf3zbeJJJUZPf663zsP',
  receive: ['37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf'],
  testnet: {
    upub: 'upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY',
    receive: '2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2',
  },
};

/** BIP-86: m/86h/0h/0h. */
export const BIP86 = {
  xpub: 'xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ',
  receive: ['bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr', 'bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh'],
  change: ['bc1p3qkhfews2uk44qtvauqyr2ttdsw7svhkl9nkm9s9c3x4ax5h60wqwruhk7'],
};

/** A testnet account key (BIP-84 test vectors' sibling): m/84h/1h/0h of "abandon … about". */
export const TPUB_84 = 'tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M';
