/**
 * Addresses over HTTP (the server runs in its own process, auth "none", built-in extensions loaded;
 * prints figures, never asserts):
 *
 * 1. Listing as a script pages it: `GET /api/v1/wallets/<alias>/addresses?from=N&count=1000`,
 *    from=0, 1000, … — 10,000 and 100,000 receive addresses of a 2-of-3 wsh(sortedmulti) wallet
 *    that keeps only its first 20, so every page past them is derived on read (and not stored).
 *    Reference: Debian's python3-electrum deriving the same 10,000 addresses in the same run
 *    (bench/lib/electrum-derive.py, run in turns with the API; the addresses are compared one by
 *    one). Goals: 10,000 ≤ 0.3× Electrum; 100,000 ≤ 10× the 10,000 figure. A probe request every
 *    10 ms during one more run shows how long the server's event loop was held, and the wallet
 *    files are checked to be untouched.
 * 2. A wallet that keeps 10,000 addresses: the JSON API at several offsets and the Addresses page
 *    (index order, and sorted by label — a cached order) under autocannon.
 *
 *   npm run build && node dist/bench/addresses-api.js
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_KEYS, writeBigWallet } from './lib/big-wallet.js';
import { load, median, ROOT, startServer, tempDir, type LoadResult } from './lib/server.js';

const PAGE = 1_000;
const SECONDS = 3;
const ELECTRUM = path.join(ROOT, 'bench', 'lib', 'electrum-derive.py');

const fmt = (r: LoadResult) =>
  `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(4)} ms${r.errors + r.non2xx ? `   errors ${r.errors} non-2xx ${r.non2xx}` : ''}`;

/** Debian's Electrum deriving `count` receive addresses of the bench wallet; its own timing of the loop. */
async function electrum(count: number): Promise<{ ms: number; addresses: string[] }> {
  const xpubs = BENCH_KEYS.map(([, , key]) => key.replace(/^\[[^\]]*\]/, ''));
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [ELECTRUM, String(count), '2', ...xpubs], { maxBuffer: 64 * 1024 * 1024 });
  const out = JSON.parse(stdout) as { seconds: number; addresses: string[] };
  return { ms: out.seconds * 1000, addresses: out.addresses };
}

/** Size and mtime of every file in a folder, to show that listing wrote nothing. */
async function snapshot(folder: string): Promise<string> {
  const names = (await fs.readdir(folder)).sort();
  const stats = await Promise.all(names.map(async (n) => [n, await fs.stat(path.join(folder, n))] as const));
  return stats.map(([n, s]) => `${n}:${s.size}:${s.mtimeMs}`).join('\n');
}

/** Pages through `total` receive addresses; the addresses (when `keep`, so a long run does not hold them all) and the time. */
async function listAll(url: string, total: number, pages: number[] = [], keep = true): Promise<{ ms: number; addresses: string[] }> {
  const addresses: string[] = [];
  const start = performance.now();
  for (let from = 0; from < total; from += PAGE) {
    const pageStart = performance.now();
    const res = await fetch(`${url}?from=${from}&count=${Math.min(PAGE, total - from)}`);
    const body = (await res.json()) as { addresses: Array<{ index: number; address: string; used: boolean }> };
    if (res.status !== 200 || body.addresses[0]?.index !== from) throw new Error(`page from=${from}: ${res.status} ${JSON.stringify(body)}`);
    if (keep) for (const a of body.addresses) addresses.push(a.address);
    pages.push(performance.now() - pageStart);
  }
  return { ms: performance.now() - start, addresses };
}

/** A cheap request every 10 ms while `work` runs: the longest answer shows how long the event loop was held. */
async function probed<T>(url: string, work: () => Promise<T>): Promise<{ result: T; maxMs: number; p99Ms: number }> {
  const times: number[] = [];
  let done = false;
  const probe = (async () => {
    while (!done) {
      const start = performance.now();
      await (await fetch(url)).arrayBuffer();
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const result = await work();
  done = true;
  await probe;
  times.sort((a, b) => a - b);
  return { result, maxMs: times.at(-1) ?? 0, p99Ms: times[Math.floor(times.length * 0.99)] ?? 0 };
}

async function listing(): Promise<void> {
  const data = await tempDir('specter-bench-list-');
  try {
    const { alias } = await writeBigWallet(data, 20);
    const walletsFolder = path.join(data, 'wallets');
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    try {
      const url = `${server.url}/api/v1/wallets/${alias}/addresses`;
      const before = await snapshot(walletsFolder);
      // One cold run (derivation workers not started yet), then Electrum and the API in turns, so
      // both meet the same load on this shared machine.
      const cold = await listAll(url, 10_000);
      const runs: number[] = [];
      const refs: number[] = [];
      const tenPages: number[] = [];
      let ref: { ms: number; addresses: string[] } | undefined;
      for (let r = 0; r < 3; r++) {
        ref = await electrum(10_000);
        refs.push(ref.ms);
        runs.push((await listAll(url, 10_000, tenPages)).ms);
      }
      const mismatches = cold.addresses.filter((a, i) => a !== ref!.addresses[i]).length;
      const bigPages: number[] = [];
      const big = { result: await listAll(url, 100_000, bigPages, false) };
      // The event loop while pages are derived: one more 10,000 with a probe beside it (not in the figures above).
      const stall = await probed(`${server.url}/api/v1/wallets/${alias}`, () => listAll(url, 10_000));
      const after = await snapshot(walletsFolder);
      const ten = median(runs);
      const electrumMs = median(refs);
      console.log('1. listing receive addresses of a 2-of-3 wsh(sortedmulti) wallet that keeps 20, pages of 1,000 through the JSON API');
      console.log(
        `   Electrum (Debian python3-electrum), 10,000 addresses, branch nodes cached: median ${electrumMs.toFixed(0)} ms (${refs.map((m) => m.toFixed(0)).join(', ')})`,
      );
      console.log(
        `   API, 10,000: median ${ten.toFixed(0)} ms (${runs.map((m) => m.toFixed(0)).join(', ')}) = ${(ten / electrumMs).toFixed(2)}× Electrum (goal ≤ 0.3×); the first run, derivation workers cold: ${cold.ms.toFixed(0)} ms = ${(cold.ms / electrumMs).toFixed(2)}×`,
      );
      console.log(`   the same 10,000 addresses as Electrum's: ${mismatches === 0 ? 'yes' : `NO, ${mismatches} differ`}`);
      console.log(
        `   API, 100,000: ${big.result.ms.toFixed(0)} ms = ${(big.result.ms / ten).toFixed(1)}× the 10,000 figure (goal ≤ 10×); median page ${median(bigPages).toFixed(0)} ms vs ${median(tenPages).toFixed(0)} ms in the 10,000 runs (${(median(bigPages) / median(tenPages)).toFixed(2)}×: the cost per page does not grow with the index; other load on this shared machine moves the totals)`,
      );
      console.log(
        `   a probe request every 10 ms (GET /api/v1/wallets/<alias>) during one more 10,000: longest ${stall.maxMs.toFixed(1)} ms, p99 ${stall.p99Ms.toFixed(1)} ms (the main thread only posts pages to the derivation workers)`,
      );
      console.log(`   wallet files after listing 150,000 addresses: ${before === after ? 'unchanged (size and mtime)' : 'CHANGED'}`);
    } finally {
      await server.stop();
    }
  } finally {
    await fs.rm(data, { recursive: true, force: true });
  }
}

async function stored(): Promise<void> {
  const ADDRESSES = 10_000;
  const data = await tempDir('specter-bench-addresses-');
  try {
    const { alias, deriveMs, fileBytes } = await writeBigWallet(data, ADDRESSES);
    console.log(
      `2. a wallet that keeps ${ADDRESSES} receive addresses (derived and saved in ${deriveMs.toFixed(0)} ms, address file ${(fileBytes / 1024 / 1024).toFixed(1)} MiB)`,
    );
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    console.log(`   server up in ${server.startupMs.toFixed(0)} ms; autocannon, 10 connections, ${SECONDS} s per URL (+1 s warm-up)`);
    const api = (from: number) => `${server.url}/api/v1/wallets/${alias}/addresses?from=${from}&count=100`;
    try {
      console.log('   JSON API, GET /api/v1/wallets/<alias>/addresses?from=N&count=100');
      for (const from of [0, 5_000, 9_900]) console.log(`     from=${String(from).padEnd(5)} ${fmt(await load(api(from), { seconds: SECONDS }))}`);
      const page = (query: string) => `${server.url}/spc/wallets/${alias}/addresses/${query}`;
      console.log('   Addresses page (HTML, sidebar and wallet tabs included)');
      for (const [name, query] of [
        ['first page, 25 rows', ''],
        ['page 100 of 100, 100 rows', '?size=100&page=100'],
        ['sorted by label, 100 rows', '?size=100&sort=label'],
      ] as const) {
        console.log(`     ${name.padEnd(26)} ${fmt(await load(page(query), { seconds: SECONDS }))}`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await fs.rm(data, { recursive: true, force: true });
  }
}

await listing();
await stored();
