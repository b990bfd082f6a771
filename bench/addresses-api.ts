/**
 * Addresses of a 10,000-address wallet over HTTP: the JSON API page
 * `GET /api/v1/wallets/<alias>/addresses?from=N&count=100` at several offsets, and the wallet's
 * Addresses page (default index order, and sorted by label, which sorts the whole branch).
 * The 2-of-3 wsh wallet and its 10,000 receive addresses are written into a fresh data folder
 * through the wallet manager first; the server runs in its own process (auth "none", built-in
 * extensions loaded). Prints figures only (never asserts).
 *
 *   npm run build && node dist/bench/addresses-api.js
 */
import fs from 'node:fs/promises';
import { DeviceManager } from '../src/managers/devices/index.js';
import { WalletManager } from '../src/managers/wallets/index.js';
import { JsonFileStore } from '../src/persistence/index.js';
import { shutdownDerivationWorkers } from '../src/bitcoin/index.js';
import { load, startServer, tempDir, type LoadResult } from './lib/server.js';

const ADDRESSES = 10_000;
const SECONDS = 4;
const KEYS = [
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

async function prepare(dataFolder: string): Promise<{ alias: string; deriveMs: number; fileBytes: number }> {
  const store = new JsonFileStore();
  const devices = new DeviceManager(dataFolder, store);
  const wallets = new WalletManager(dataFolder, store, devices);
  for (const [name, type, key] of KEYS) await devices.create(name, type, key);
  const wallet = await wallets.createMultisig({ name: 'Bench', threshold: 2, devices: ['abandon', 'legal', 'letter'] });
  const start = performance.now();
  // getAddress(i) keeps GAP_LIMIT (20) addresses derived beyond i: i = 9,980 gives 10,000.
  await wallet.getAddress(ADDRESSES - 20);
  const deriveMs = performance.now() - start;
  await shutdownDerivationWorkers();
  const fileBytes = (await fs.stat(wallet.files.addresses)).size;
  return { alias: wallet.alias, deriveMs, fileBytes };
}

const fmt = (r: LoadResult) =>
  `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(4)} ms${r.errors + r.non2xx ? `   errors ${r.errors} non-2xx ${r.non2xx}` : ''}`;

const data = await tempDir('specter-bench-addresses-');
try {
  const { alias, deriveMs, fileBytes } = await prepare(data);
  console.log(
    `wallet "${alias}": 2-of-3 wsh(sortedmulti), ${ADDRESSES} receive addresses derived and saved in ${deriveMs.toFixed(0)} ms (address file ${(fileBytes / 1024 / 1024).toFixed(1)} MiB)`,
  );
  const server = await startServer({ SPECTER_DATA_FOLDER: data });
  console.log(`server up in ${server.startupMs.toFixed(0)} ms; autocannon, 10 connections, ${SECONDS} s per URL (+1 s warm-up)`);
  const api = (from: number) => `${server.url}/api/v1/wallets/${alias}/addresses?from=${from}&count=100`;
  const check = await fetch(api(9_900));
  const sample = (await check.json()) as { addresses: Array<{ index: number }> };
  if (check.status !== 200 || sample.addresses[0]?.index !== 9_900) throw new Error(`unexpected API answer ${check.status}`);
  try {
    console.log('JSON API, GET /api/v1/wallets/<alias>/addresses?from=N&count=100');
    for (const from of [0, 5_000, 9_900]) console.log(`  from=${String(from).padEnd(5)} ${fmt(await load(api(from), { seconds: SECONDS }))}`);
    const page = (query: string) => `${server.url}/spc/wallets/${alias}/addresses/${query}`;
    console.log('Addresses page (HTML, sidebar and wallet tabs included)');
    for (const [name, query] of [
      ['first page, 25 rows', ''],
      ['page 100 of 100, 100 rows', '?size=100&page=100'],
      ['sorted by label, 100 rows', '?size=100&sort=label'],
    ] as const) {
      console.log(`  ${name.padEnd(26)} ${fmt(await load(page(query), { seconds: SECONDS }))}`);
    }
  } finally {
    await server.stop();
  }
} finally {
  await fs.rm(data, { recursive: true, force: true });
}
