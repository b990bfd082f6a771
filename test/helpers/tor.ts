/**
 * Real peers for the Tor and outgoing-HTTP tests: Debian's `tor` (/usr/bin/tor, or env TOR),
 * `microsocks` (a SOCKS5 server; env MICROSOCKS), a local HTTP server that plays mempool.space's
 * fee API, and a byte tap that relays a TCP connection and records the SOCKS5 handshake.
 *
 * Without tor or microsocks the tests skip with one line; under CI (env CI set) they fail instead.
 * Nothing here talks to anything but 127.0.0.0/8.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export const TOR_BIN = process.env.TOR ?? '/usr/bin/tor';
export const MICROSOCKS_BIN = process.env.MICROSOCKS ?? '/usr/bin/microsocks';

/** For `test(name, { skip: torSkip() }, …)`: the skip line without tor (never under CI). */
export function torSkip(): string | false {
  if (process.env.CI) return false;
  return existsSync(TOR_BIN) ? false : `tor not found at ${TOR_BIN}: apt-get install tor (or set TOR=/path/to/tor)`;
}

export function microsocksSkip(): string | false {
  if (process.env.CI) return false;
  return existsSync(MICROSOCKS_BIN) ? false : `microsocks not found at ${MICROSOCKS_BIN}: apt-get install microsocks (or set MICROSOCKS=…)`;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until host:port accepts connections (bounded). */
export async function waitForPort(port: number, host = '127.0.0.1', attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

export interface Microsocks {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * microsocks on 127.0.0.1:<free port>, its outgoing connections bound to `bindAddress` (default
 * 127.0.0.2), so a server behind it sees requests that came through the proxy by their peer address.
 */
export async function startMicrosocks(t: TestContext | undefined, bindAddress = '127.0.0.2'): Promise<Microsocks> {
  if (!existsSync(MICROSOCKS_BIN)) throw new Error(`microsocks not found at ${MICROSOCKS_BIN}`);
  const port = await freePort();
  const child = spawn(MICROSOCKS_BIN, ['-i', '127.0.0.1', '-p', String(port), '-b', bindAddress], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  t?.after(stop);
  await waitForPort(port);
  return { port, url: `socks5h://127.0.0.1:${port}`, process: child, stop };
}

export interface FeeServer {
  url: string;
  port: number;
  /** Peer addresses of every TCP connection the server accepted. */
  peers: string[];
  requests: number;
  /** What the next answers are (status and body). */
  answer: { status: number; body: string; hang?: boolean };
  close(): Promise<void>;
}

export const RECOMMENDED = { fastestFee: 21, halfHourFee: 13, hourFee: 8, economyFee: 4, minimumFee: 2 };

/** A local HTTP server playing mempool.space's `/api/v1/fees/recommended`. */
export async function startFeeServer(t: TestContext | undefined): Promise<FeeServer> {
  const state = {
    peers: [] as string[],
    requests: 0,
    answer: { status: 200, body: JSON.stringify(RECOMMENDED) } as FeeServer['answer'],
  };
  const server = http.createServer((req, res) => {
    state.requests++;
    if (state.answer.hang) return; // never answers; the client's time limit must end it
    if (req.url !== '/api/v1/fees/recommended') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(state.answer.status, { 'content-type': 'application/json' }).end(state.answer.body);
  });
  server.on('connection', (socket) => state.peers.push(socket.remoteAddress ?? '?'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t?.after(close);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get peers() {
      return state.peers;
    },
    get requests() {
      return state.requests;
    },
    get answer() {
      return state.answer;
    },
    set answer(a) {
      state.answer = a;
    },
    close,
  };
}

export interface SocksTap {
  port: number;
  url: string;
  /** Per relayed connection: the methods the client offered, the one the server chose, and RFC 1929 credentials if sent. */
  sessions: Array<{ offered: number[]; chosen: number | null; username: string | null; password: string | null }>;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of a real SOCKS5 server that reads (never changes) the handshake: the
 * client's method list, the server's choice and the username/password sub-negotiation. It shows
 * which credentials a real server (Tor) received, per connection.
 */
export async function startSocksTap(t: TestContext | undefined, targetPort: number): Promise<SocksTap> {
  const sessions: SocksTap['sessions'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const session: SocksTap['sessions'][number] = { offered: [], chosen: null, username: null, password: null };
    sessions.push(session);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    let fromClient = Buffer.alloc(0);
    let clientMessages = 0;
    client.on('data', (chunk: Buffer) => {
      if (clientMessages < 2) {
        fromClient = Buffer.concat([fromClient, chunk]);
        if (clientMessages === 0 && fromClient.length >= 2 && fromClient.length >= 2 + fromClient[1]!) {
          session.offered = [...fromClient.subarray(2, 2 + fromClient[1]!)];
          fromClient = fromClient.subarray(2 + fromClient[1]!);
          clientMessages = 1;
        }
        if (clientMessages === 1 && session.chosen === 2 && fromClient.length >= 2) {
          const ulen = fromClient[1]!;
          if (fromClient.length >= 3 + ulen && fromClient.length >= 3 + ulen + fromClient[2 + ulen]!) {
            const plen = fromClient[2 + ulen]!;
            session.username = fromClient.subarray(2, 2 + ulen).toString('utf8');
            session.password = fromClient.subarray(3 + ulen, 3 + ulen + plen).toString('utf8');
            clientMessages = 2;
          }
        }
      }
      upstream.write(chunk);
    });
    let firstReply = true;
    upstream.on('data', (chunk: Buffer) => {
      if (firstReply && chunk.length >= 2) {
        session.chosen = chunk[1]!;
        firstReply = false;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  t?.after(close);
  return { port, url: `socks5h://127.0.0.1:${port}`, sessions, close };
}

/** Whether a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (bounded) until the pid is gone; true when it is. */
export async function waitForExit(pid: number, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (!processAlive(pid)) return true;
    await sleep(50);
  }
  return !processAlive(pid);
}
