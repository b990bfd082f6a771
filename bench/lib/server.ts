import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** The repository root: this file runs as dist/bench/lib/server.js. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface RunningServer {
  url: string;
  /** Milliseconds from spawn to the "listening" log line. */
  startupMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `specter server` in a child process (so the load generator does not share its event loop).
 * `BENCH_NODE_ARGS` adds options for that node process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * to see where a bench's time goes (NODE_OPTIONS refuses --cpu-prof).
 */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  const started = process.hrtime.bigint();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'server', '--port', '0', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const m = /listening on (http:\/\/[^"\s]+)/.exec(buffer);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    url,
    startupMs,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** A bounded load against one URL on loopback: autocannon, 10 connections. */
export async function load(
  url: string,
  options: { seconds?: number; connections?: number; headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections ?? 10,
    duration: options.seconds ?? 5,
    // autocannon 8 supports a warm-up phase; its type definitions lag behind.
    ...({ warmup: { connections: options.connections ?? 10, duration: 1 } } as object),
    headers: options.headers ?? {},
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
