/**
 * Cost of authentication (issue 9, findings 5 and 7). Prints figures only (never asserts).
 *
 * (a) `GET /api/v1/wallets` with an API token, as a ratio to the same request in auth "none"
 *     (goal ≥ 0.8×), and with HTTP Basic (cached check, and with the cache off — every request
 *     runs the 10k-iteration PBKDF2, as before). Servers in their own processes, alternating
 *     rounds; then whole requests in-process (`app.inject`, alternating batches) for a quieter ratio.
 * (b) A static file's p50/p99 while 5 logins run at once (each login: a 10k-iteration password
 *     check and a 390k-iteration user-secret unwrap), against the same server idle (goal p99 ≤ 50 ms).
 *
 *   npm run build && node dist/bench/auth.js
 */
import fs from 'node:fs/promises';
import autocannon from 'autocannon';
import { createTestSpecter, type TestSpecter } from '../src/testing/index.js';
import { load, median, startServer, tempDir, type LoadResult, type RunningServer } from './lib/server.js';

const PASSWORD = 'bench password 1';
const ROUNDS = 5;
const SECONDS = 4;
const STATIC = '/static/css/specter.css';

/** A data folder in "usernamepassword" with the admin's password and one full-scope token. */
async function preparePasswordFolder(dataFolder: string): Promise<string> {
  const t = await createTestSpecter({ dataFolder, config: { LOAD_BUILTIN_EXTENSIONS: false } });
  try {
    await t.setAuth('usernamepassword', PASSWORD);
    return (await t.specter.apiTokens.create(t.specter.userManager.admin, 'bench', 'full')).token;
  } finally {
    await t.close();
  }
}

const basicHeader = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const fmt = (r: { requestsPerSecond: number; p99: number }) =>
  `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s, p99 ${String(r.p99).padStart(3)} ms`;

async function apiOverHttp(none: RunningServer, pw: RunningServer, uncached: RunningServer, token: string): Promise<void> {
  const sides = {
    none: { url: `${none.url}/api/v1/wallets`, headers: {} },
    token: { url: `${pw.url}/api/v1/wallets`, headers: { authorization: `Bearer ${token}` } },
    basic: { url: `${pw.url}/api/v1/wallets`, headers: { authorization: basicHeader } },
    'basic, no cache': { url: `${uncached.url}/api/v1/wallets`, headers: { authorization: basicHeader } },
  } as const;
  for (const side of Object.values(sides)) {
    const res = await fetch(side.url, { headers: side.headers });
    if (res.status !== 200) throw new Error(`${side.url}: ${res.status} ${await res.text()}`);
  }
  const results: Record<string, LoadResult[]> = {};
  const entries = Object.entries(sides);
  for (let i = 0; i < ROUNDS; i++) {
    // Rotate the order each round, so a side is not always measured right after the same one.
    for (let k = 0; k < entries.length; k++) {
      const [name, side] = entries[(i + k) % entries.length]!;
      (results[name] ??= []).push(await load(side.url, { seconds: SECONDS, headers: side.headers }));
    }
  }
  const rps = (name: string) => median(results[name]!.map((r) => r.requestsPerSecond));
  const p99 = (name: string) => median(results[name]!.map((r) => r.p99));
  console.log(
    `(a) GET /api/v1/wallets over HTTP: 10 connections, ${ROUNDS} alternating rounds of ${SECONDS} s (+1 s warm-up, order rotated), medians`,
  );
  for (const name of Object.keys(sides)) {
    const errors = results[name]!.reduce((n, r) => n + r.errors + r.non2xx, 0);
    const ratio = rps(name) / rps('none');
    console.log(
      `  ${name.padEnd(16)} ${fmt({ requestsPerSecond: rps(name), p99: p99(name) })}   ${ratio.toFixed(2)}× of auth none${errors ? `   errors ${errors}` : ''}`,
    );
  }
}

/** Whole requests in-process (no sockets), alternating batches: the auth cost without HTTP noise. */
async function apiInProcess(pwFolder: string, token: string): Promise<void> {
  const none = await createTestSpecter({ config: { LOAD_BUILTIN_EXTENSIONS: false } });
  const pw = await createTestSpecter({ dataFolder: pwFolder, config: { LOAD_BUILTIN_EXTENSIONS: false } });
  try {
    const batch = async (t: TestSpecter, authorization: string | undefined, n: number) => {
      const headers = authorization ? { authorization } : {};
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/wallets', headers });
        if (res.statusCode !== 200) throw new Error(`inject: ${res.statusCode}`);
      }
      return ((performance.now() - started) / n) * 1000;
    };
    const sides: Array<[string, TestSpecter, string | undefined]> = [
      ['none', none, undefined],
      ['token', pw, `Bearer ${token}`],
      ['basic', pw, basicHeader],
    ];
    for (const [, t, auth] of sides) await batch(t, auth, 1000);
    const us: Record<string, number[]> = {};
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < sides.length; k++) {
        const [name, t, auth] = sides[(i + k) % sides.length]!;
        (us[name] ??= []).push(await batch(t, auth, 1000));
      }
    }
    const m = (name: string) => median(us[name]!);
    console.log('    in-process (app.inject, rotating batches of 1000, median of 6):');
    for (const [name] of sides)
      console.log(`  ${name.padEnd(16)} ${m(name).toFixed(0).padStart(6)} µs/request   ${(m('none') / m(name)).toFixed(2)}× of auth none`);
  } finally {
    await none.close();
    await pw.close();
  }
}

/** One full form login (login page for the cookie and CSRF token, then the POST). */
async function login(base: string): Promise<void> {
  const page = await fetch(`${base}/spc/auth/login`);
  const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${base}/spc/auth/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf_token: csrf, username: 'admin', password: PASSWORD }).toString(),
  });
  if (res.status !== 302) throw new Error(`login answered ${res.status}`);
}

async function staticLatency(url: string, seconds: number): Promise<{ p50: number; p99: number; max: number; rps: number }> {
  const r = await autocannon({ url, connections: 2, duration: seconds });
  return { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, rps: r.requests.average };
}

async function staticWhileLoggingIn(server: RunningServer): Promise<void> {
  const url = `${server.url}${STATIC}`;
  await staticLatency(url, 1); // warm-up
  const idle = await staticLatency(url, SECONDS);
  let stop = false;
  let logins = 0;
  const loops = Array.from({ length: 5 }, async () => {
    while (!stop) {
      await login(server.url);
      logins++;
    }
  });
  // Let the five logins start before measuring.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const busy = await staticLatency(url, SECONDS);
  stop = true;
  await Promise.all(loops);
  console.log(`(b) GET ${STATIC} (2 connections, ${SECONDS} s each)`);
  console.log(`  idle                   p50 ${idle.p50} ms   p99 ${idle.p99} ms   max ${idle.max} ms   ${idle.rps.toFixed(0)} req/s`);
  console.log(
    `  5 logins at once       p50 ${busy.p50} ms   p99 ${busy.p99} ms   max ${busy.max} ms   ${busy.rps.toFixed(0)} req/s   (${logins} logins done, goal p99 ≤ 50 ms)`,
  );
}

const noneFolder = await tempDir('specter-bench-auth-none-');
const pwFolder = await tempDir('specter-bench-auth-pw-');
try {
  const token = await preparePasswordFolder(pwFolder);
  const base = { LOAD_BUILTIN_EXTENSIONS: 'false', LOGIN_RATE_LIMIT: '1000000' };
  const none = await startServer({ ...base, SPECTER_DATA_FOLDER: noneFolder });
  const pw = await startServer({ ...base, SPECTER_DATA_FOLDER: pwFolder });
  const uncached = await startServer({ ...base, SPECTER_DATA_FOLDER: pwFolder, API_BASIC_CACHE_TTL: '0' });
  try {
    await apiOverHttp(none, pw, uncached, token);
    await staticWhileLoggingIn(pw);
  } finally {
    await Promise.all([none.stop(), pw.stop(), uncached.stop()]);
  }
  await apiInProcess(pwFolder, token);
} finally {
  await fs.rm(noneFolder, { recursive: true, force: true });
  await fs.rm(pwFolder, { recursive: true, force: true });
}
