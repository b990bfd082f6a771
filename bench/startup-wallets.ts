/**
 * The first pages after a start with 100 wallets (2-of-3 wsh(sortedmulti), each with its own keys),
 * through HTTP against a server in its own process (auth "none", no node). The wallets are written
 * through the wallet manager first; then the server starts and the first `GET /spc/wallets/` (which
 * loads every wallet) and the first wallet page are timed from the "listening" line. Goal: the first
 * page ≤ 300 ms. Three starts; prints figures only.
 *
 *   npm run build && node dist/bench/startup-wallets.js [wallets, default 100]
 */
import fs from 'node:fs/promises';
import { bip32 } from '../src/bitcoin/bip32.js';
import { shutdownDerivationWorkers } from '../src/bitcoin/index.js';
import { DeviceManager } from '../src/managers/devices/index.js';
import { WalletManager } from '../src/managers/wallets/index.js';
import { JsonFileStore } from '../src/persistence/index.js';
import { BENCH_KEYS } from './lib/big-wallet.js';
import { median, startServer, tempDir } from './lib/server.js';

const WALLETS = Number(process.argv[2] ?? 100);
const STARTS = 3;

/** WALLETS distinct 2-of-3 wallets: key i of each bench key's account (so no two are duplicates). */
async function writeWallets(dataFolder: string): Promise<{ aliases: string[]; ms: number }> {
  const store = new JsonFileStore();
  const wallets = new WalletManager(dataFolder, store, new DeviceManager(dataFolder, store));
  const accounts = BENCH_KEYS.map(([, , key]) => bip32.fromBase58(key.replace(/^\[[^\]]*\]/, '')));
  const aliases: string[] = [];
  const start = performance.now();
  for (let i = 0; i < WALLETS; i++) {
    const keys = accounts.map((a) => `${a.derive(i).toBase58()}/<0;1>/*`);
    const wallet = await wallets.importDescriptor(`wsh(sortedmulti(2,${keys.join(',')}))`, { name: `Wallet ${i}`, createDevices: false });
    aliases.push(wallet.alias);
  }
  await shutdownDerivationWorkers();
  return { aliases, ms: performance.now() - start };
}

async function timed(url: string): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { ms: performance.now() - start, status: res.status };
}

const data = await tempDir('specter-bench-startup-');
try {
  const { aliases, ms } = await writeWallets(data);
  console.log(`${WALLETS} wallets (2-of-3 wsh(sortedmulti)) written through the wallet manager in ${ms.toFixed(0)} ms`);
  const overview: number[] = [];
  const walletPage: number[] = [];
  const startup: number[] = [];
  for (let s = 0; s < STARTS; s++) {
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    try {
      startup.push(server.startupMs);
      const first = await timed(`${server.url}/spc/wallets/`);
      const page = await timed(`${server.url}/spc/wallets/${aliases[WALLETS >> 1]}/addresses/`);
      if (first.status !== 200 || page.status !== 200) throw new Error(`pages answered ${first.status} and ${page.status}`);
      overview.push(first.ms);
      walletPage.push(page.ms);
      console.log(
        `  start ${s + 1}: server up in ${server.startupMs.toFixed(0)} ms; first GET /spc/wallets/ ${first.ms.toFixed(0)} ms; then the first wallet page ${page.ms.toFixed(0)} ms`,
      );
    } finally {
      await server.stop();
    }
  }
  console.log(
    `median of ${STARTS} starts: first page (the wallets overview, loads all ${WALLETS}) ${median(overview).toFixed(0)} ms (goal ≤ 300 ms); first wallet page ${median(walletPage).toFixed(0)} ms; start-up ${median(startup).toFixed(0)} ms`,
  );
} finally {
  await fs.rm(data, { recursive: true, force: true });
}
