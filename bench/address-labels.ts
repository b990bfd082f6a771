/**
 * A label change on a big wallet, through HTTP as the UI does it (the address page's label form,
 * CSRF token and session cookie included), at 10,000 and at 100,000 receive addresses, in one run.
 * Before the address journal, every change rewrote the whole list (13 ms at 100, 389 ms at
 * 100,000 addresses); now a change appends one line, so the two figures should be alike.
 * Also the server's memory with the 100,000-address wallet loaded. Prints figures only.
 *
 *   npm run build && node dist/bench/address-labels.js
 */
import fs from 'node:fs/promises';
import { startServer, tempDir } from './lib/server.js';
import { writeBigWallet } from './lib/big-wallet.js';

const CHANGES = 200;

async function session(url: string): Promise<{ cookie: string; token: string }> {
  const page = await fetch(`${url}/spc/settings/general`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error('no CSRF token');
  return { cookie, token };
}

async function measure(size: number): Promise<{ median: number; p99: number; fileMiB: number; rssMiB: number | undefined }> {
  const data = await tempDir('specter-bench-labels-');
  try {
    const wallet = await writeBigWallet(data, size);
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    try {
      const { cookie, token } = await session(server.url);
      const times: number[] = [];
      for (let i = 0; i < CHANGES + 10; i++) {
        const address = wallet.addresses[Math.floor((i * 7919) % size)]!;
        const body = new URLSearchParams({ csrf_token: token, label: `label ${i}` });
        const start = performance.now();
        const res = await fetch(`${server.url}/spc/wallets/${wallet.alias}/address/${address}/label`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body,
          redirect: 'manual',
        });
        await res.arrayBuffer();
        if (res.status !== 302) throw new Error(`label change answered ${res.status}`);
        if (i >= 10) times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const rss = await fs.readFile(`/proc/${server.child.pid}/status`, 'utf8').then(
        (s) => /VmRSS:\s+(\d+)/.exec(s)?.[1],
        () => undefined,
      );
      return {
        median: times[Math.floor(times.length / 2)]!,
        p99: times[Math.floor(times.length * 0.99)]!,
        fileMiB: wallet.fileBytes / 1024 / 1024,
        rssMiB: rss ? Number(rss) / 1024 : undefined,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await fs.rm(data, { recursive: true, force: true });
  }
}

console.log(`label change through the address page's form, ${CHANGES} changes after 10 warm-up, sequential`);
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
