/**
 * A 2-of-3 wsh(sortedmulti) wallet with many receive addresses *stored*, written into a data folder
 * for benchmarks. Created through the wallet manager, then its address list is grown by writing the
 * snapshot directly: the API lists any index without storing it, and storing (by use) is bounded to
 * MAX_ADDRESS_LOOKAHEAD past the last used address; a bench measures what users do with a big
 * wallet, not the setup.
 */
import fs from 'node:fs/promises';
import { createAddressDeriver, shutdownDerivationWorkers } from '../../src/bitcoin/index.js';
import { DeviceManager } from '../../src/managers/devices/index.js';
import { WalletManager } from '../../src/managers/wallets/index.js';
import { JsonFileStore } from '../../src/persistence/index.js';

export const BENCH_KEYS = [
  [
    'Abandon',
    'coldcard',
    '[73c5da0a/48h/0h/0h/2h]xpub6DkFAXWQ2dHxq2vatrt9qyA3bXYU4ToWQwCHbf5XB2mSTexcHZCeKS1VZYcPoBd5X8yVcbXFHJR9R8UCVpt82VX1VhR28mCyxUFL4r6KFrf',
  ],
  [
    'Legal',
    'trezor',
    '[b8688df1/48h/0h/0h/2h]xpub6FQya7zGhR92kacYsNnjreouvnHJMpXYsUXnW6NJJAJRCKsa26TzDy4LdnGhEurr3d6y1J8PJ7EEMKQp74XTqYvmGJNogYXSKDszYHtF8mX',
  ],
  [
    'Letter',
    'ledger',
    '[28645006/48h/0h/0h/2h]xpub6DnEBNkSJKBYQmsbhS1sP9cNdtU5c9PLFGCjTJmxicxc13WB8zNNGQazabQpyFAGW5bV9tMko4uBxDxjUKL6dSAcx1tEbgEHtgSqyRsekh6',
  ],
] as const;

export interface BigWallet {
  alias: string;
  addresses: string[];
  deriveMs: number;
  fileBytes: number;
}

export async function writeBigWallet(dataFolder: string, receive: number): Promise<BigWallet> {
  const store = new JsonFileStore();
  const devices = new DeviceManager(dataFolder, store);
  const wallets = new WalletManager(dataFolder, store, devices);
  for (const [name, type, key] of BENCH_KEYS) await devices.create(name, type, key);
  const wallet = await wallets.createMultisig({ name: 'Bench', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
  const deriver = createAddressDeriver(wallet.descriptor);
  const start = performance.now();
  const addresses = await deriver.derive(0, 0, receive);
  const change = await deriver.derive(1, 0, 20);
  const deriveMs = performance.now() - start;
  const entry = (address: string, index: number) => ({ index, address, label: null, used: false, service_id: null });
  await store.write(wallet.files.addresses, { receive: addresses.map(entry), change: change.map(entry) });
  await store.write(wallet.files.record, { ...wallet.toJSON(), keypool: receive, change_keypool: 20 });
  await shutdownDerivationWorkers();
  return { alias: wallet.alias, addresses, deriveMs, fileBytes: (await fs.stat(wallet.files.addresses)).size };
}
