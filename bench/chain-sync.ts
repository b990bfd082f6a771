/**
 * The chain through HTTP against a real regtest bitcoind (prints figures, never asserts):
 *
 * - first sync of a wallet with TXS transactions (made by this bench) through
 *   `POST /api/v1/wallets/<alias>/sync`, as a ratio to the time Core itself takes to answer the
 *   same `listtransactions` pages in the same run (goal ≤ 1.5×);
 * - an incremental sync after one new block with one transaction (goal ≤ 50 ms);
 * - the History page, first 50 of TXS, under load (goal ≥ 500 req/s, p99 ≤ 25 ms);
 * - the server's RSS with that wallet loaded.
 *
 *   npm run build && node dist/bench/chain-sync.js [transactions, default 10000]
 */
import fs from 'node:fs/promises';
import { makePayments } from '../test/helpers/payments.js';
import { withRegtestBench } from './lib/regtest-bench.js';
import { load, startServer } from './lib/server.js';

const TXS = Number(process.argv[2] ?? 10_000);

await withRegtestBench('specter-bench-chain-', async ({ core, rpc, server, data, address }) => {
  // TXS payments to the wallet, each its own transaction: the faucet funds TXS outputs of a key
  // of the bench's own, and each of them is spent to the wallet with createrawtransaction +
  // signrawtransactionwithkey (no Core wallet work per payment, so 10,000 take seconds, not minutes).
  const made = performance.now();
  await makePayments(rpc, core, address, TXS);
  await core.rpc('syncwithvalidationinterfacequeue');
  console.log(`${TXS} transactions to one address of a wpkh wallet made in ${((performance.now() - made) / 1000).toFixed(0)} s`);

  // Core alone: the listtransactions pages a first sync reads.
  const coreWallet = (await rpc.call<string[]>('listwallets')).find((w) => w.endsWith('/bench'))!;
  const coreStart = performance.now();
  for (let skip = 0; ; skip += 1000) {
    const page = await rpc.call<unknown[]>('listtransactions', ['*', 1000, skip, true], { wallet: coreWallet });
    if (page.length < 1000) break;
  }
  const coreMs = performance.now() - coreStart;

  // Specter TS: a first sync (the wallet's history cache dropped, so it reads everything).
  await server.stop();
  await fs.rm(`${data}/wallets/chain`, { recursive: true, force: true });
  const server2 = await startServer({ SPECTER_DATA_FOLDER: data });
  const sync = async () => {
    const start = performance.now();
    const res = await fetch(`${server2.url}/api/v1/wallets/bench/sync`, { method: 'POST' });
    const body = (await res.json()) as { full?: boolean; added?: number };
    if (res.status !== 200) throw new Error(`sync: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - start, body };
  };
  try {
    const first = await sync();
    console.log(
      `first sync: ${first.ms.toFixed(0)} ms (${first.body.added} transactions, full=${first.body.full}); Core's listtransactions pages alone: ${coreMs.toFixed(0)} ms → ${(first.ms / coreMs).toFixed(2)}× (goal ≤ 1.5×)`,
    );
    const incremental: number[] = [];
    for (let i = 0; i < 5; i++) {
      await core.send(address, 20_000);
      await core.mine(1);
      await core.rpc('syncwithvalidationinterfacequeue');
      incremental.push((await sync()).ms);
    }
    incremental.sort((a, b) => a - b);
    console.log(`incremental sync after one block with one transaction: median ${incremental[2]!.toFixed(0)} ms of 5 (goal ≤ 50 ms)`);
    // As a browser: with the session cookie of an earlier visit (a request without one starts a
    // new session each time, which costs a session encryption per page).
    const visit = await fetch(`${server2.url}/spc/wallets/bench/history/`);
    const headers = { cookie: (visit.headers.get('set-cookie') ?? '').split(';')[0]! };
    // The reference: the wallet's Addresses page, the same frame (sidebar, tabs) without chain data.
    const reference = await load(`${server2.url}/spc/wallets/bench/addresses/`, { seconds: 5, headers });
    const history = await load(`${server2.url}/spc/wallets/bench/history/`, { seconds: 5, headers });
    console.log(
      `History page, first 50 of ${TXS + 5}: ${history.requestsPerSecond.toFixed(0)} req/s, p50 ${history.p50} ms, p99 ${history.p99} ms (goal ≥ 500 req/s, p99 ≤ 25 ms)${history.non2xx ? `, non-2xx ${history.non2xx}` : ''}`,
    );
    console.log(
      `  reference, the Addresses page (25 rows) in the same run: ${reference.requestsPerSecond.toFixed(0)} req/s, p99 ${reference.p99} ms → History at ${(history.requestsPerSecond / reference.requestsPerSecond).toFixed(2)}× its throughput`,
    );
    const rss = await fs.readFile(`/proc/${server2.child.pid}/status`, 'utf8').then((s) => /VmRSS:\s+(\d+)/.exec(s)?.[1]);
    console.log(`server RSS with the wallet loaded: ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MiB`);
  } finally {
    await server2.stop();
  }
});
