import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateExtension } from '../../src/cli/ext/gen.js';

/**
 * What a plugin author does, for the distribution tests: `ext gen` → `npm install` → `npm pack`,
 * with npm's registry unreachable (everything comes from npm's cache, warm from this repository's
 * own `npm ci`), so the tests are offline and fast, and prove the offline claim.
 */
export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** npm's environment for the tests: no registry, no retries, no audit/fund/notifier calls; not inside our node:test run. */
export function offlineNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_registry: 'http://127.0.0.1:9',
    npm_config_fetch_retries: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

export interface Run {
  code: number | null;
  out: string;
}

export function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: offlineNpmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

export async function mustRun(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}) in ${cwd}:\n${r.out}`);
  return r.out;
}

/** The file name from `npm pack --json` output (npm may print notices around the JSON). */
export function packedName(out: string): string {
  return (JSON.parse(out.slice(out.indexOf('[\n'), out.lastIndexOf(']') + 1)) as { filename: string }[])[0]!.filename;
}

/** `ext gen --id <id> --yes` in `dir`, `npm install`, `npm pack` (its prepack builds). Returns the package folder and the tarball. */
export async function genAndPack(dir: string, id: string): Promise<{ packageDir: string; tarball: string }> {
  const generated = await generateExtension({ id, org: '', isolatedClient: false, encryptData: false, device: null }, { dir });
  await mustRun(NPM, ['install'], generated.dir);
  const out = await mustRun(NPM, ['pack', '--json'], generated.dir);
  return { packageDir: generated.dir, tarball: path.join(generated.dir, packedName(out)) };
}

/** A package that is not an extension (no "specterExtension"), packed. */
export async function packPlain(dir: string): Promise<string> {
  const pkg = path.join(dir, 'plain-pkg');
  await fs.mkdir(pkg, { recursive: true });
  await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'plain-pkg', version: '1.0.0', main: 'index.js' }));
  await fs.writeFile(path.join(pkg, 'index.js'), 'export const x = 1;\n');
  const out = await mustRun(NPM, ['pack', '--json'], pkg);
  return path.join(pkg, packedName(out));
}
