/**
 * A real Bitcoin Core on regtest for tests: random loopback ports, its own temp data folder, no
 * peers, a funded `faucet` wallet, and always stopped (t.after, and SIGKILL on process exit).
 *
 * Which bitcoind: env BITCOIND, else `<shared>/bitcoin-core/bin/bitcoind`, where <shared> is the
 * `shared/` folder beside the repository (or beside one of its parent folders: worktrees sit one
 * level deeper). `BITCOIND_29` / `<shared>/bitcoin-core/29.3/bin/bitcoind` is the older release.
 * Without one, tests skip with one line; when env CI is set they fail instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RpcClient, type RpcConnection, type RpcParams } from '../../src/managers/nodes/rpc-client.js';
import type { NodeManager } from '../../src/managers/nodes/index.js';
import type { User } from '../../src/managers/users/index.js';
import { createTestSpecter, type TestSpecter } from '../../src/testing/index.js';
import { repoRoot } from './files.js';

export const SKIP_MESSAGE = 'bitcoind not found: set BITCOIND=/path/to/bitcoind (or put Bitcoin Core in ../shared/bitcoin-core/bin)';

/** `<ancestor>/shared/bitcoin-core` for the nearest ancestor of the repository that has one. */
export function sharedBitcoinCore(): string | undefined {
  let dir = path.dirname(repoRoot());
  for (;;) {
    const candidate = path.join(dir, 'shared', 'bitcoin-core');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Path of the bitcoind to test against (`'29'`: the older release), or undefined. */
export function findBitcoind(which: 'default' | '29' = 'default'): string | undefined {
  const env = which === '29' ? process.env.BITCOIND_29 : process.env.BITCOIND;
  if (env) return env;
  const shared = sharedBitcoinCore();
  if (!shared) return undefined;
  const p = which === '29' ? path.join(shared, '29.3', 'bin', 'bitcoind') : path.join(shared, 'bin', 'bitcoind');
  return existsSync(p) ? p : undefined;
}

/**
 * For `test(name, { skip: bitcoindSkip() }, …)`: the skip line when there is no bitcoind, false
 * otherwise — and always false under CI, where startBitcoind() then fails the test.
 */
export function bitcoindSkip(which: 'default' | '29' = 'default'): string | false {
  if (process.env.CI) return false;
  return findBitcoind(which) ? false : SKIP_MESSAGE;
}

export interface BitcoindOptions {
  which?: 'default' | '29';
  /** Cookie authentication (no rpcuser/rpcpassword in bitcoin.conf). Default false. */
  cookie?: boolean;
  /** Extra command-line arguments, e.g. ['-disablewallet']. */
  args?: string[];
  /** Create and fund the `faucet` wallet (default true; false with -disablewallet). */
  faucet?: boolean;
}

export interface Bitcoind {
  readonly binary: string;
  readonly datadir: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  /** Connection settings (with cookie auth: the current cookie's credentials). */
  connection(): Promise<RpcConnection>;
  readonly client: RpcClient;
  /** What the RPC probe got while the last start() waited (refused, then -28 while warming up). */
  readonly startupErrors: unknown[];
  rpc<T = unknown>(method: string, params?: RpcParams, wallet?: string): Promise<T>;
  /** Mine n blocks to the faucet; resolves to the block hashes. */
  mine(n: number): Promise<string[]>;
  /** Pay `sats` from the faucet; resolves to the txid. */
  send(address: string, sats: number): Promise<string>;
  /** Stop bitcoind (keeps the datadir); start() brings it back on the same ports and folder. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop() and remove the data folder. */
  destroy(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  // A test run stopped by a signal emits no 'exit': kill the children, then die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const REGTEST_USER = 'bitcoin';

/** Start a regtest bitcoind for one test (stopped and removed in t.after). */
export async function startBitcoind(t: TestContext | undefined, options: BitcoindOptions = {}): Promise<Bitcoind> {
  const binary = findBitcoind(options.which);
  if (!binary) throw new Error(SKIP_MESSAGE);
  installExitHook();
  const datadir = await mkdtemp(path.join(tmpdir(), 'specter-regtest-'));
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  // A bitcoin.conf like a user's (network section, rpcport): the autodetect tests read it back.
  const conf = ['regtest=1', 'server=1', '[regtest]', `rpcport=${rpcPort}`, `port=${p2pPort}`, 'rpcbind=127.0.0.1', 'rpcallowip=127.0.0.1'];
  if (!options.cookie) conf.push(`rpcuser=${REGTEST_USER}`, `rpcpassword=${password}`);
  await writeFile(path.join(datadir, 'bitcoin.conf'), `${conf.join('\n')}\n`);
  const args = [
    `-datadir=${datadir}`,
    '-listen=0',
    '-connect=0',
    '-dnsseed=0',
    '-fixedseeds=0',
    '-fallbackfee=0.0002',
    '-printtoconsole=0',
    '-debuglogfile=debug.log',
    ...(options.args ?? []),
  ];
  const readCookie = async (): Promise<RpcConnection> => {
    const text = (await readFile(path.join(datadir, 'regtest', '.cookie'), 'utf8')).trim();
    const i = text.indexOf(':');
    return { host: '127.0.0.1', port: rpcPort, protocol: 'http', user: text.slice(0, i), password: text.slice(i + 1) };
  };
  const connection = async (): Promise<RpcConnection> =>
    options.cookie ? readCookie() : { host: '127.0.0.1', port: rpcPort, protocol: 'http', user: REGTEST_USER, password };

  let child: ChildProcess | undefined;
  let client: RpcClient | undefined;
  let faucetAddress: string | undefined;
  const startupErrors: unknown[] = [];

  const start = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // A failed test must not hang on the child: the exit hook kills it when the test process ends.
    proc.unref();
    (proc.stderr as unknown as { unref?: () => void }).unref?.();
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    child = proc;
    // Bounded wait: cookie file, then an RPC answer (-28 while warming up).
    const deadline = Date.now() + 60_000;
    startupErrors.length = 0;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`bitcoind exited with ${proc.exitCode}: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`bitcoind did not answer RPC within 60 s (${datadir})`);
      try {
        const probe = new RpcClient(await connection(), { timeoutMs: 5_000 });
        try {
          await probe.call('getblockchaininfo');
        } finally {
          probe.close();
        }
        // Generous timeouts after the start: the test machine is shared and mining 101 blocks can take a while.
        client?.close();
        client = new RpcClient(await connection(), { timeoutMs: 120_000 });
        return;
      } catch (err) {
        startupErrors.push(err);
        await sleep(20);
      }
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    client?.close();
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };

  const destroy = async (): Promise<void> => {
    await stop();
    await rm(datadir, { recursive: true, force: true });
  };
  t?.after(destroy);

  try {
    await start();
  } catch (err) {
    await destroy();
    throw err;
  }

  const node: Bitcoind = {
    binary,
    datadir,
    rpcPort,
    p2pPort,
    connection,
    startupErrors,
    get client() {
      if (!client) throw new Error('bitcoind is stopped');
      return client;
    },
    rpc: (method, params = [], wallet) => node.client.call(method, params, wallet === undefined ? {} : { wallet }),
    async mine(n) {
      if (!faucetAddress) faucetAddress = await node.rpc<string>('getnewaddress', [], 'faucet');
      return node.rpc<string[]>('generatetoaddress', [n, faucetAddress], 'faucet');
    },
    send: (address, sats) => node.rpc<string>('sendtoaddress', { address, amount: (sats / 1e8).toFixed(8) }, 'faucet'),
    stop,
    start,
    destroy,
  };
  if (options.faucet !== false) {
    try {
      await node.rpc('createwallet', { wallet_name: 'faucet' });
      await node.mine(101);
    } catch (err) {
      await destroy();
      throw err;
    }
  }
  return node;
}

/** Adds the running regtest node to an app as its node (the four connection checks run). */
export async function addRegtestNode(specter: { nodeManager: NodeManager }, core: Bitcoind): Promise<void> {
  const c = await core.connection();
  await specter.nodeManager.add({
    name: 'regtest',
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    protocol: 'http',
    autodetect: false,
  });
}

export interface RegtestApp {
  core: Bitcoind;
  t: TestSpecter;
  admin: User;
}

/**
 * Inside a describe: before its tests, a regtest bitcoind and a test app with that node added (its
 * background chain sync stopped, so each test syncs when it means to) and the admin user, handed to
 * `set`; after them, both closed. `then` runs once more setup inside the same `before`.
 */
export function regtestApp(
  set: (app: RegtestApp) => void,
  options: { specter?: Parameters<typeof createTestSpecter>[0]; then?: (app: RegtestApp) => Promise<void> } = {},
): void {
  let app: Partial<RegtestApp> = {};
  before(async () => {
    app.core = await startBitcoind(undefined);
    app.t = await createTestSpecter(options.specter);
    await app.t.specter.chain.stop();
    await addRegtestNode(app.t.specter, app.core);
    app.admin = app.t.specter.userManager.require('admin');
    set(app as RegtestApp);
    await options.then?.(app as RegtestApp);
  });
  after(async () => {
    await app.t?.close();
    await app.core?.destroy();
    app = {};
  });
}
