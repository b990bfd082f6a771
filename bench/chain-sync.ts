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
import { networks } from 'bitcoinjs-lib';
import { bip32 } from '../src/bitcoin/bip32.js';
import { RpcClient } from '../src/managers/nodes/index.js';
import { startBitcoind } from '../test/helpers/bitcoind.js';
import { load, startServer, tempDir } from './lib/server.js';

const TXS = Number(process.argv[2] ?? 10_000);
const TPUB = 'tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M';
const DESCRIPTOR = `wpkh([73c5da0a/84h/1h/0h]${TPUB}/<0;1>/*)`;

/** The bench's own keys (a regtest BIP32 root from a fixed seed): one address per payment. */
const ROOT_KEY = bip32.fromSeed(Buffer.alloc(32, 0x11), networks.testnet);

type Bitcoind = Awaited<ReturnType<typeof startBitcoind>>;

async function makePayments(rpc: RpcClient, core: Bitcoind, to: string, count: number): Promise<void> {
  const { descriptor } = await core.rpc<{ descriptor: string }>('getdescriptorinfo', [`wpkh(${ROOT_KEY.neutered().toBase58()}/0/*)`]);
  const keyAddresses = await core.rpc<string[]>('deriveaddresses', [descriptor, [0, count - 1]]);
  const index = new Map(keyAddresses.map((a, i) => [a, i]));
  const funding: Array<{ txid: string; vout: number; scriptPubKey: string; amount: number; wif: string }> = [];
  for (let done = 0; done < count; ) {
    const n = Math.min(2_000, count - done);
    const outputs = Object.fromEntries(keyAddresses.slice(done, done + n).map((a) => [a, 0.0003]));
    const txid = await core.rpc<string>('sendmany', ['', outputs], 'faucet');
    const tx = await core.rpc<{ decoded: { vout: Array<{ n: number; value: number; scriptPubKey: { address?: string; hex: string } }> } }>(
      'gettransaction',
      [txid, false, true],
      'faucet',
    );
    for (const o of tx.decoded.vout) {
      const i = o.scriptPubKey.address === undefined ? undefined : index.get(o.scriptPubKey.address);
      if (i === undefined) continue;
      const wif = ROOT_KEY.derive(0).derive(i).toWIF();
      funding.push({ txid, vout: o.n, scriptPubKey: o.scriptPubKey.hex, amount: o.value, wif });
    }
    done += n;
    // Each funding spends the last one's change: confirm it before the next (cluster limits).
    await core.mine(1);
  }
  for (let i = 0; i < funding.length; i += 500) {
    const chunk = funding.slice(i, i + 500);
    const raw = await rpc.batch(chunk.map((u) => ({ method: 'createrawtransaction', params: [[{ txid: u.txid, vout: u.vout }], { [to]: 0.0002 }] })));
    const signed = await rpc.batch(
      raw.map((r, j) => {
        if (!r.ok) throw r.error;
        const { wif, ...prevout } = chunk[j]!;
        return { method: 'signrawtransactionwithkey', params: [r.result, [wif], [prevout]] };
      }),
    );
    const sent = await rpc.batch(
      signed.map((r) => {
        if (!r.ok) throw r.error;
        return { method: 'sendrawtransaction', params: [(r.result as { hex: string }).hex] };
      }),
    );
    const failed = sent.find((r) => !r.ok);
    if (failed) throw new Error(`sendrawtransaction failed: ${JSON.stringify(failed)}`);
    if ((i / 500) % 2 === 1 || i + 500 >= funding.length) await core.mine(1);
  }
}

const core = await startBitcoind(undefined);
const data = await tempDir('specter-bench-chain-');
try {
  const conn = await core.connection();
  const rpc = new RpcClient(conn, { timeoutMs: 120_000 });
  const server = await startServer({ SPECTER_DATA_FOLDER: data });
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    await api('POST', '/nodes', { name: 'regtest', host: conn.host, port: conn.port, protocol: 'http', user: conn.user, password: conn.password });
    await api('POST', '/wallets', { name: 'Bench', descriptor: DESCRIPTOR });
    await api('POST', '/wallets/bench/sync');
    const address = ((await api('GET', '/wallets/bench/addresses?count=1')).addresses as Array<{ address: string }>)[0]!.address;

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
      const history = await load(`${server2.url}/spc/wallets/bench/history/`, { seconds: 5 });
      console.log(
        `History page, first 50 of ${TXS + 5}: ${history.requestsPerSecond.toFixed(0)} req/s, p50 ${history.p50} ms, p99 ${history.p99} ms (goal ≥ 500 req/s, p99 ≤ 25 ms)${history.non2xx ? `, non-2xx ${history.non2xx}` : ''}`,
      );
      const rss = await fs.readFile(`/proc/${server2.child.pid}/status`, 'utf8').then((s) => /VmRSS:\s+(\d+)/.exec(s)?.[1]);
      console.log(`server RSS with the wallet loaded: ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MiB`);
    } finally {
      await server2.stop();
    }
  } finally {
    rpc.close();
    if (server.child.exitCode === null) await server.stop();
  }
} finally {
  await core.destroy();
  await fs.rm(data, { recursive: true, force: true });
}
