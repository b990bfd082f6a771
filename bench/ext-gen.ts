/**
 * From `specter ext gen` to a passing generated test suite: `node dist/bench/ext-gen.js [runs] [flags…]`.
 *
 * Each run, in a fresh temporary folder: the built CLI generates a package (its `.specter-ts` link
 * points at this checkout), plain `npm install` (the generated lockfile, from npm's cache), then
 * `npm test` (which builds with tsc and runs the generated node:test suite against a real
 * Specter TS). Prints each phase and the total per run, then the median. Figures only; no
 * assertions. Extra arguments are passed to `ext gen` (e.g. `--isolated-client`, `--device Dice`).
 * SPECTER_CLI overrides the CLI path.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = process.env.SPECTER_CLI ?? path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const RUNS = Number(process.argv[2] ?? 3);
const GEN_FLAGS = process.argv.slice(3);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  delete env.NODE_TEST_CONTEXT;
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${out}`));
      else resolve(performance.now() - t);
    });
  });
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function once(i: number): Promise<number> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'specter-bench-extgen-')));
  try {
    const t0 = performance.now();
    const gen = await run(process.execPath, [CLI, 'ext', 'gen', '--id', 'rubberduck', '--org', 'bench', '--yes', '--dir', dir, ...GEN_FLAGS], dir);
    const pkg = path.join(dir, 'specterext-rubberduck');
    const install = await run(NPM, ['install', '--no-audit', '--no-fund'], pkg);
    const test = await run(NPM, ['test'], pkg);
    const total = performance.now() - t0;
    console.log(`run ${i + 1}: gen ${fmt(gen)}  npm install ${fmt(install)}  npm test (tsc + suite) ${fmt(test)}  total ${fmt(total)}`);
    return total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`ext gen → green generated test suite${GEN_FLAGS.length ? ` (${GEN_FLAGS.join(' ')})` : ''}, ${RUNS} run(s), node ${process.version}`);
const totals: number[] = [];
for (let i = 0; i < RUNS; i++) totals.push(await once(i));
totals.sort((a, b) => a - b);
console.log(`median total: ${fmt(totals[Math.floor(totals.length / 2)]!)}  (min ${fmt(totals[0]!)}, max ${fmt(totals[totals.length - 1]!)})`);
