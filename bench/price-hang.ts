/**
 * Pages while the price source hangs (issue 13: "the page answers in ≤ 200 ms while it hangs").
 * Runs the real server with the fixture price provider pointed at a local server that accepts the
 * request and never answers, waits until the price check is stuck on it, then times pages and the
 * price API through HTTP. The tests assert the behaviour (served while the fetch is pending); this
 * prints the figures only.
 *
 *   npm run build && node dist/bench/price-hang.js
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { median, ROOT, startServer, tempDir } from './lib/server.js';

const ROUNDS = 50;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { accept: url.includes('/api/') ? 'application/json' : 'text/html' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const hanging: http.ServerResponse[] = [];
let arrived: () => void = () => undefined;
const stuck = new Promise<void>((resolve) => (arrived = resolve));
const source = http.createServer((_req, res) => {
  hanging.push(res);
  arrived();
});
await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));

const dir = await tempDir('specter-bench-price-');
await fs.writeFile(
  path.join(dir, 'config.json'),
  JSON.stringify({ auth: { method: 'none' }, price_check: true, price_provider: 'localfeed', price_currency: 'USD' }),
);
const server = await startServer({
  SPECTER_DATA_FOLDER: dir,
  SPECTER_EXTENSION_LIST: path.join(ROOT, 'test', 'fixtures', 'ext-packages', 'pricefeed'),
  PRICEFEED_URL: `http://127.0.0.1:${(source.address() as AddressInfo).port}`,
  PRICE_FETCH_TIMEOUT: '600000',
});
try {
  await stuck;
  console.log(`the price check is waiting on the source (${hanging.length} request)`);
  for (const page of ['/spc/wallets/', '/spc/settings/price', '/api/v1/price']) {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = process.hrtime.bigint();
      const status = await get(`${server.url}${page}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status !== 200) throw new Error(`${page} answered ${status}`);
    }
    console.log(`${page.padEnd(22)} median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${ROUNDS} requests)`);
  }
  console.log(`still hanging: ${hanging.filter((r) => !r.writableEnded).length} request(s) to the source`);
} finally {
  await server.stop();
  for (const r of hanging) r.destroy();
  source.close();
  agent.destroy();
  await fs.rm(dir, { recursive: true, force: true });
}
