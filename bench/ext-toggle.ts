/**
 * Switching a plugin off and on at runtime under load (issue 12 "without a restart"): autocannon
 * loads a core page (the wallets overview, with the session cookie a browser sends) while the bench disables and enables the built-in
 * `notes` plugin 100 times through the admin's control (the same HTTP POST the Choose plugins page
 * sends). Prints: failed and non-2xx requests (must be 0), req/s and p99 against a reference run
 * without toggling in the same process, and before/after figures — RSS, heap used after gc, active
 * handles, listener counts and the tables a plugin adds to — taken after 5 warm-up cycles and after
 * the 100. Flat means no growth per cycle. Figures only, no assertions.
 *
 *   node dist/bench/ext-toggle.js [cycles]
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const CYCLES = Number(process.argv[2] ?? 100);
const WARMUP = 5;
const PLUGIN = 'notes';
const PAGE = '/spc/wallets/';

type Stats = {
  rssMb: number;
  heapUsedMb: number;
  heapObjectsMb: number;
  handles: Record<string, number>;
  listeners: Record<string, number>;
  tables: Record<string, number>;
};

const here = path.dirname(fileURLToPath(import.meta.url));
const child = fork(path.join(here, 'lib', 'toggle-server.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const messages: Array<(m: { type: string; url?: string; stats?: Stats }) => void> = [];
child.on('message', (m: { type: string }) => messages.shift()?.(m));
const next = () => new Promise<{ type: string; url?: string; stats?: Stats }>((resolve) => messages.push(resolve));

const url = (await next()).url!;
const stats = async (): Promise<Stats> => {
  const reply = next();
  child.send({ type: 'stats' });
  return (await reply).stats!;
};

// Auth "none": every /spc request is the admin's; a session cookie still carries the CSRF secret.
let cookie = '';
let csrf = '';
async function page(p: string): Promise<Response> {
  const res = await fetch(url + p, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  const set = res.headers.getSetCookie();
  if (set.length) cookie = set.map((c) => c.split(';')[0]).join('; ');
  const body = await res.text();
  csrf = /name="csrf_token" value="([^"]+)"/.exec(body)?.[1] ?? csrf;
  return res;
}
async function post(p: string): Promise<number> {
  const res = await fetch(url + p, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: csrf }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return res.status;
}
await page('/spc/plugins/choose');
// Active for the admin: its sidebar entry and hooks take part in every page while it is on.
await post(`/spc/plugins/${PLUGIN}/activate`);

function run(seconds: number): { done: Promise<autocannon.Result>; stop(): void } {
  let instance: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url: url + PAGE, connections: 10, duration: seconds, headers: { cookie } }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
  return { done, stop: () => instance.stop() };
}

let toggleFailures = 0;
async function cycle(): Promise<void> {
  if ((await post(`/spc/plugins/${PLUGIN}/disable`)) !== 302) toggleFailures++;
  if ((await post(`/spc/plugins/${PLUGIN}/enable`)) !== 302) toggleFailures++;
}

await run(5).done; // warm-up of the page (the JIT)
const reference = await run(10).done;
const idleStart = process.hrtime.bigint();
for (let i = 0; i < WARMUP; i++) await cycle();
const idleMs = Number(process.hrtime.bigint() - idleStart) / 1e6 / WARMUP;
const before = await stats();

const loaded = run(600);
const started = process.hrtime.bigint();
let middle: Stats | undefined;
for (let i = 0; i < CYCLES; i++) {
  await cycle();
  if (i + 1 === Math.floor(CYCLES / 2)) middle = await stats();
}
const toggleMs = Number(process.hrtime.bigint() - started) / 1e6;
loaded.stop();
const during = await loaded.done;
await new Promise((resolve) => setTimeout(resolve, 500)); // let the load's sockets close
const after = await stats();
const status = await (await fetch(`${url}/api/v1/extensions`)).json();

const fmt = (n: number, d = 1) => n.toFixed(d);
console.log(`ext-toggle: ${CYCLES} disable+enable cycles of "${PLUGIN}" (admin POST) while autocannon loads ${PAGE} (10 connections)`);
console.log(
  `  toggles: ${CYCLES * 2} POSTs in ${fmt(toggleMs / 1000, 2)} s under load (${fmt(toggleMs / CYCLES, 1)} ms per cycle; ` +
    `${fmt(idleMs, 1)} ms per cycle without load), failed ${toggleFailures}`,
);
console.log(
  `  ${PLUGIN} after the bench: ${(status as { extensions: Array<{ id: string; status: string }> }).extensions.find((e) => e.id === PLUGIN)?.status}`,
);
console.log('  load            requests   errors  non-2xx   req/s     p99 ms');
for (const [name, r] of [
  ['reference', reference],
  ['while toggling', during],
] as const) {
  console.log(
    `  ${name.padEnd(15)} ${String(r.requests.total).padStart(8)} ${String(r.errors + r.timeouts).padStart(8)} ${String(r.non2xx).padStart(8)} ${fmt(r.requests.average).padStart(9)} ${fmt(r.latency.p99).padStart(9)}`,
  );
}
const mid = middle ?? before;
const half = CYCLES - Math.floor(CYCLES / 2);
console.log(`  after ${WARMUP} warm-up cycles → after ${Math.floor(CYCLES / 2)} → after ${CYCLES} (growth per cycle over the second half)`);
const row = (name: string, a: number, m: number, b: number, d = 1) =>
  console.log(
    `  ${name.padEnd(42)} ${fmt(a, d).padStart(8)} → ${fmt(m, d).padStart(8)} → ${fmt(b, d).padStart(8)}  (${b - m >= 0 ? '+' : ''}${fmt((b - m) / half, 3)})`,
  );
row('RSS (MB)', before.rssMb, mid.rssMb, after.rssMb);
row('heap used after gc (MB)', before.heapUsedMb, mid.heapUsedMb, after.heapUsedMb, 2);
row('  of it not code space (MB)', before.heapObjectsMb, mid.heapObjectsMb, after.heapObjectsMb, 2);
for (const type of new Set([...Object.keys(before.handles), ...Object.keys(after.handles)])) {
  row(`handles: ${type}`, before.handles[type] ?? 0, mid.handles[type] ?? 0, after.handles[type] ?? 0, 0);
}
for (const name of Object.keys(before.listeners)) row(`listeners: ${name}`, before.listeners[name]!, mid.listeners[name]!, after.listeners[name]!, 0);
for (const name of Object.keys(before.tables)) row(name, before.tables[name]!, mid.tables[name]!, after.tables[name]!, 0);

const exited = new Promise((resolve) => child.once('exit', resolve));
child.send({ type: 'exit' });
await exited;
