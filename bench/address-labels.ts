/**
 * A label change on a big wallet, through HTTP as the UI does it (the address page's label form,
 * CSRF token and session cookie included; the 302 back to the address page is the answer), at
 * 10,000 and at 100,000 receive addresses, in one run. Before the address journal every change
 * rewrote the whole list (13 ms at 100, 389 ms at 100,000 addresses); now a change appends one
 * line to a journal kept open, so the two figures should be alike. Goal: ≤ 5 ms median at 100,000.
 *
 * Also: the floor a durable change cannot go below on this disk (append + fdatasync of one such
 * line), the Addresses page sorted by label right after a label change (the order is cached and
 * patched, not sorted again; the first view sorts once), and the server's memory. Requests go
 * through node:http with a keep-alive agent (fetch costs the client ~1.5 ms more per request on
 * this machine, time that is not the server's). Prints figures only.
 *
 *   npm run build && node dist/bench/address-labels.js
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { startServer, tempDir } from './lib/server.js';
import { writeBigWallet } from './lib/big-wallet.js';

const CHANGES = 200;
const SORTED_VIEWS = 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function session(url: string): Promise<{ cookie: string; token: string }> {
  const page = await fetch(`${url}/spc/settings/general`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error('no CSRF token');
  return { cookie, token };
}

const pick = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/** Append + fdatasync of one journal-sized line, the journal file kept open: the disk's floor. */
async function fsyncFloor(): Promise<number> {
  const dir = await tempDir('specter-bench-fsync-');
  try {
    const line = `${JSON.stringify({ c: 0, e: [{ index: 4242, address: `bc1q${'x'.repeat(58)}`, label: 'label 1', used: false, service_id: null }] })}\n`;
    const handle = await fs.open(path.join(dir, 'a.log'), 'a', 0o600);
    const times: number[] = [];
    try {
      for (let i = 0; i < CHANGES; i++) {
        const start = performance.now();
        await handle.appendFile(line);
        await handle.datasync();
        times.push(performance.now() - start);
      }
    } finally {
      await handle.close();
    }
    return pick(
      times.sort((a, b) => a - b),
      0.5,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface Figures {
  median: number;
  p99: number;
  fileMiB: number;
  rssMiB: number | undefined;
  firstSortedMs: number;
  sortedMedian: number;
}

async function measure(size: number): Promise<Figures> {
  const data = await tempDir('specter-bench-labels-');
  try {
    const wallet = await writeBigWallet(data, size);
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    try {
      const { cookie, token } = await session(server.url);
      const form = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
      const setLabel = async (i: number) => {
        const address = wallet.addresses[Math.floor((i * 7919) % size)]!;
        const body = new URLSearchParams({ csrf_token: token, label: `label ${i}` }).toString();
        const res = await request(`${server.url}/spc/wallets/${wallet.alias}/address/${address}/label`, 'POST', form, body);
        if (res.status !== 302) throw new Error(`label change answered ${res.status}`);
      };
      const times: number[] = [];
      for (let i = 0; i < CHANGES + 10; i++) {
        const start = performance.now();
        await setLabel(i);
        if (i >= 10) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const sortedPage = async () => {
        const start = performance.now();
        const res = await request(`${server.url}/spc/wallets/${wallet.alias}/addresses/?size=100&sort=label`, 'GET', { cookie });
        if (res.status !== 200 || !res.text.includes('label ')) throw new Error(`sorted page answered ${res.status}`);
        return performance.now() - start;
      };
      const firstSortedMs = await sortedPage();
      const sorted: number[] = [];
      for (let i = 0; i < SORTED_VIEWS; i++) {
        await setLabel(CHANGES + 10 + i);
        sorted.push(await sortedPage());
      }
      sorted.sort((a, b) => a - b);
      const rss = await fs.readFile(`/proc/${server.child.pid}/status`, 'utf8').then(
        (s) => /VmRSS:\s+(\d+)/.exec(s)?.[1],
        () => undefined,
      );
      return {
        median: pick(times, 0.5),
        p99: pick(times, 0.99),
        fileMiB: wallet.fileBytes / 1024 / 1024,
        rssMiB: rss ? Number(rss) / 1024 : undefined,
        firstSortedMs,
        sortedMedian: pick(sorted, 0.5),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await fs.rm(data, { recursive: true, force: true });
  }
}

console.log(`label change through the address page's form, ${CHANGES} changes after 10 warm-up, sequential`);
const floor = await fsyncFloor();
const small = await measure(10_000);
const big = await measure(100_000);
for (const [name, r] of [
  ['10,000 addresses', small],
  ['100,000 addresses', big],
] as const) {
  console.log(
    `  ${name.padEnd(18)} median ${r.median.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   (snapshot ${r.fileMiB.toFixed(1)} MiB, server RSS ${r.rssMiB?.toFixed(0) ?? '?'} MiB)`,
  );
}
console.log(`  median at 100,000 / median at 10,000: ${(big.median / small.median).toFixed(2)}× (goal: flat; ≤ 5 ms median at 100,000)`);
console.log(`  floor on this disk: append + fdatasync of one journal line ${floor.toFixed(2)} ms (median of ${CHANGES})`);
console.log(`Addresses page sorted by label, 100 rows, right after a label change (median of ${SORTED_VIEWS}); first view (sorts once) in brackets`);
for (const [name, r] of [
  ['10,000 addresses', small],
  ['100,000 addresses', big],
] as const) {
  console.log(`  ${name.padEnd(18)} ${r.sortedMedian.toFixed(1)} ms   (${r.firstSortedMs.toFixed(1)} ms)`);
}
