/**
 * Cost of the extension machinery per request: the welcome page with 0 and with 20 loaded and
 * active extensions, each with a `flask_before_request` callback and a base-page injection
 * (targets: ≤ 5 % overhead; startup to listening with 20 extensions ≤ 1.5 s). Prints figures only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT, load, median, startServer, tempDir, type LoadResult } from './lib/server.js';
import { createTestSpecter } from '../src/testing/index.js';

const COUNT = 20;

async function writeExtensions(dir: string): Promise<string[]> {
  await fs.mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await fs.symlink(ROOT, path.join(dir, 'node_modules', 'specter-ts'), 'dir');
  const folders: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const id = `bench_${i}`;
    const folder = path.join(dir, id);
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(
      path.join(folder, 'package.json'),
      JSON.stringify({
        name: `specterext-${id}`,
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        specterExtension: { id, name: `Bench ${i}`, devstatus: 'prod', optionality: 'mandatory', visibleInSidebar: false, engines: '>=0.1.0' },
      }),
    );
    await fs.writeFile(
      path.join(folder, 'index.js'),
      `import { Extension } from 'specter-ts';
export default class Bench${i} extends Extension {
  seen = 0;
  callback_flask_before_request() { this.seen += 1; }
  injectInBasejinjaBodyBottom() { return '<span data-bench="${i}"></span>'; }
}
`,
    );
    await fs.writeFile(path.join(folder, 'controller.js'), `export default function (bp) { bp.get('/', 'index', async () => ({ ok: ${i} })); }\n`);
    folders.push(folder);
  }
  return folders;
}

async function startupTimes(env: Record<string, string>): Promise<number> {
  const data = await tempDir('specter-bench-data-');
  const startups: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startServer({ ...env, SPECTER_DATA_FOLDER: data });
    startups.push(s.startupMs);
    await s.stop();
  }
  await fs.rm(data, { recursive: true, force: true });
  return median(startups);
}

/**
 * The machinery alone, in-process and without HTTP noise: the before-request callbacks plus the
 * page contributions (sidebar, injections) a page render runs, per request.
 */
async function machineryMicroseconds(folders: string[]): Promise<number> {
  const t = await createTestSpecter({ extensions: folders, config: { LOAD_BUILTIN_EXTENSIONS: false } });
  try {
    const callbacks = t.specter.extensionManager.callbacks;
    const request = { user: t.specter.userManager.admin, url: '/spc/welcome/' } as never;
    const once = async () => {
      await callbacks.fire('flask_before_request', request);
      const context = { sidebar: { plugins: [] }, inject: { head: [], body_top: [], body_bottom: [] } };
      for (const contribute of t.app.viewContributors) await contribute(request, context, {});
    };
    for (let i = 0; i < 20_000; i++) await once();
    const n = 100_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) await once();
    return ((performance.now() - started) / n) * 1000;
  } finally {
    await t.close();
  }
}

/**
 * Whole requests in-process (`app.inject`: routing, hooks, session, rendering — no sockets), the
 * 0- and 20-extension apps alternating in batches so a busy machine slows both alike.
 */
async function injectMicroseconds(folders: string[]): Promise<{ plain: number; loaded: number }> {
  const plain = await createTestSpecter({ config: { LOAD_BUILTIN_EXTENSIONS: false } });
  const loaded = await createTestSpecter({ extensions: folders, config: { LOAD_BUILTIN_EXTENSIONS: false } });
  try {
    const batch = async (app: typeof plain.app, n: number) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await app.inject({ method: 'GET', url: '/spc/welcome/' });
      return ((performance.now() - started) / n) * 1000;
    };
    await batch(plain.app, 2000);
    await batch(loaded.app, 2000);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 8; i++) {
      a.push(await batch(plain.app, 1500));
      b.push(await batch(loaded.app, 1500));
    }
    return { plain: median(a), loaded: median(b) };
  } finally {
    await plain.close();
    await loaded.close();
  }
}

const ROUNDS = 4;
const dir = await tempDir('specter-bench-ext-');
const dataA = await tempDir('specter-bench-data-');
const dataB = await tempDir('specter-bench-data-');
const dataC = await tempDir('specter-bench-data-');
try {
  const folders = await writeExtensions(dir);
  const base = { LOAD_BUILTIN_EXTENSIONS: 'false' };
  const withExt = { ...base, SPECTER_EXTENSION_LIST: folders.join(',') };
  console.log(
    `bench: GET /spc/welcome/ (auth none), 10 connections, ${ROUNDS} alternating rounds of 4 s (+1 s warm-up), servers in their own processes`,
  );
  const plain = await startServer({ ...base, SPECTER_DATA_FOLDER: dataA });
  const loaded = await startServer({ ...withExt, SPECTER_DATA_FOLDER: dataB });
  // A second identical 0-extension server: how far two equal servers differ here (the noise floor).
  const twin = await startServer({ ...base, SPECTER_DATA_FOLDER: dataC });
  const injected = ((await (await fetch(`${loaded.url}/spc/welcome/`)).text()).match(/data-bench=/g) ?? []).length;
  const rounds: { plain: LoadResult[]; loaded: LoadResult[]; twin: LoadResult[] } = { plain: [], loaded: [], twin: [] };
  // Alternate, so a busy machine slows every side alike.
  for (let i = 0; i < ROUNDS; i++) {
    rounds.plain.push(await load(`${plain.url}/spc/welcome/`, { seconds: 4 }));
    rounds.loaded.push(await load(`${loaded.url}/spc/welcome/`, { seconds: 4 }));
    rounds.twin.push(await load(`${twin.url}/spc/welcome/`, { seconds: 4 }));
  }
  await Promise.all([plain.stop(), loaded.stop(), twin.stop()]);
  const rps = (list: LoadResult[]) => median(list.map((r) => r.requestsPerSecond));
  const p99 = (list: LoadResult[]) => median(list.map((r) => r.p99));
  const errors = [...rounds.plain, ...rounds.loaded, ...rounds.twin].reduce((n, r) => n + r.errors + r.non2xx, 0);
  const show = (list: LoadResult[]) => list.map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
  console.log(
    `0 extensions:        ${rps(rounds.plain).toFixed(0)} req/s (median of ${ROUNDS}), p99 ${p99(rounds.plain)} ms   rounds: ${show(rounds.plain)}`,
  );
  console.log(
    `${COUNT} extensions:       ${rps(rounds.loaded).toFixed(0)} req/s (median of ${ROUNDS}), p99 ${p99(rounds.loaded)} ms   rounds: ${show(rounds.loaded)}   (${injected} injections on the page)`,
  );
  console.log(
    `0 extensions (twin): ${rps(rounds.twin).toFixed(0)} req/s (median of ${ROUNDS}), p99 ${p99(rounds.twin)} ms   rounds: ${show(rounds.twin)}`,
  );
  const ratio = rps(rounds.loaded) / rps(rounds.plain);
  const twinRatio = rps(rounds.twin) / rps(rounds.plain);
  console.log(
    `overhead of ${COUNT} extensions: ${((1 - ratio) * 100).toFixed(1)} % (ratio ${ratio.toFixed(3)}; target ≤ 5 %); two identical servers differ by ${((1 - twinRatio) * 100).toFixed(1)} % (noise floor)   errors: ${errors}`,
  );
  const inject = await injectMicroseconds(folders);
  console.log(
    `whole request in-process (app.inject, alternating batches): ${inject.plain.toFixed(0)} µs with 0, ${inject.loaded.toFixed(0)} µs with ${COUNT} extensions → ${(((inject.loaded - inject.plain) / inject.plain) * 100).toFixed(1)} % (target ≤ 5 %)`,
  );
  const micro0 = await machineryMicroseconds([]);
  const micro20 = await machineryMicroseconds(folders);
  const perRequest = 1e6 / rps(rounds.plain);
  console.log(
    `machinery in-process (before-request callbacks + page contributions): ${micro0.toFixed(1)} µs with 0, ${micro20.toFixed(1)} µs with ${COUNT} extensions → +${(micro20 - micro0).toFixed(1)} µs = ${(((micro20 - micro0) / perRequest) * 100).toFixed(1)} % of a ${perRequest.toFixed(0)} µs request (target ≤ 5 %)`,
  );
  console.log(
    `startup to listening: 0 extensions ${(await startupTimes(base)).toFixed(0)} ms, ${COUNT} extensions ${(await startupTimes(withExt)).toFixed(0)} ms (median of 3; target ≤ 1500 ms)`,
  );
} finally {
  for (const d of [dir, dataA, dataB, dataC]) await fs.rm(d, { recursive: true, force: true });
}
