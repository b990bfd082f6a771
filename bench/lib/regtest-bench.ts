/**
 * The setup the chain benches share: a regtest bitcoind, the app in its own process with a fresh
 * data folder, the node added and a single-key wallet ("Bench", alias `bench`) created and synced
 * through the JSON API, as a script would. Everything is stopped and removed afterwards.
 */
import fs from 'node:fs/promises';
import { RpcClient } from '../../src/managers/nodes/index.js';
import { startBitcoind, type Bitcoind } from '../../test/helpers/bitcoind.js';
import { startServer, tempDir, type RunningServer } from './server.js';

const TPUB = 'tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M';
export const BENCH_DESCRIPTOR = `wpkh([73c5da0a/84h/1h/0h]${TPUB}/<0;1>/*)`;

export interface RegtestBench {
  core: Bitcoind;
  /** A client of the bench's own (long timeouts), for making payments. */
  rpc: RpcClient;
  server: RunningServer;
  /** The app's data folder. */
  data: string;
  /** A JSON API call on `server`; throws on a status of 300 or more. */
  api(method: string, url: string, body?: unknown): Promise<Record<string, unknown>>;
  /** The wallet's first receive address. */
  address: string;
}

/** A JSON API caller for a running server. */
export function apiOf(server: RunningServer): RegtestBench['api'] {
  return async (method, url, body) => {
    const res = await fetch(`${server.url}/api/v1${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

export async function withRegtestBench(prefix: string, run: (bench: RegtestBench) => Promise<void>): Promise<void> {
  const core = await startBitcoind(undefined);
  const data = await tempDir(prefix);
  try {
    const conn = await core.connection();
    const rpc = new RpcClient(conn, { timeoutMs: 120_000 });
    const server = await startServer({ SPECTER_DATA_FOLDER: data });
    try {
      const api = apiOf(server);
      await api('POST', '/nodes', { name: 'regtest', host: conn.host, port: conn.port, protocol: 'http', user: conn.user, password: conn.password });
      await api('POST', '/wallets', { name: 'Bench', descriptor: BENCH_DESCRIPTOR });
      await api('POST', '/wallets/bench/sync');
      const address = ((await api('GET', '/wallets/bench/addresses?count=1')).addresses as Array<{ address: string }>)[0]!.address;
      await run({ core, rpc, server, data, api, address });
    } finally {
      rpc.close();
      if (server.child.exitCode === null) await server.stop();
    }
  } finally {
    await core.destroy();
    await fs.rm(data, { recursive: true, force: true });
  }
}
