/**
 * `npm pack` of the core carries the built-ins complete: the tarball, installed into an empty
 * folder from npm's cache alone (`npm_config_offline`), starts with all six built-ins `loaded`,
 * resolving `specter-ts` to itself through the resolve hook (there is no node_modules/specter-ts
 * link in an installed core). ~40 s: npm unpacks every dependency of the core.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../helpers/files.js';
import { mustRun, NPM, offlineNpmEnv, packedName } from '../../helpers/plugin-packages.js';

const BUILTINS = ['autowithdraw', 'devhelp', 'donate', 'heartbeat', 'notes', 'notifications'];
let root: string;
let installed: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

before(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'specter-corepack-')));
  // The build is there already (the tests run from it); --ignore-scripts skips prepack's rebuild.
  const tgz = packedName(await mustRun(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', root], repoRoot()));
  const app = path.join(root, 'app');
  await fs.mkdir(app);
  await fs.writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'try-specter', version: '1.0.0', private: true }));
  const env = offlineNpmEnv();
  // The cache is keyed by the real registry's URLs: offline mode reads it without asking anyone.
  delete env.npm_config_registry;
  env.npm_config_offline = 'true';
  const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(NPM, ['install', path.join(root, tgz)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  assert.equal(r.code, 0, r.out);
  installed = path.join(app, 'node_modules', 'specter-ts');
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('npm pack of the core', { timeout: 240_000 }, () => {
  it('ships every built-in whole: package.json, dist/, templates/, static/', async () => {
    for (const id of BUILTINS) {
      const dir = path.join(installed, 'extensions', id);
      for (const part of ['package.json', 'dist', 'templates', 'static']) {
        await fs.access(path.join(dir, part)).catch(() => assert.fail(`extensions/${id}/${part} is missing from the packed core`));
      }
    }
    await assert.rejects(fs.lstat(path.join(installed, 'node_modules', 'specter-ts')), 'no self-link');
  });

  it('installed from the tarball, `specter server` starts with all six built-ins loaded', async () => {
    const data = path.join(root, 'data');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        path.join(installed, 'dist', 'src', 'cli', 'main.js'),
        'server',
        '--port',
        String(port),
        '--data-folder',
        data,
        '--devstatus-threshold',
        'alpha',
      ],
      { cwd: root, env: { ...offlineNpmEnv(), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout.on('data', (d) => (log += String(d)));
    child.stderr.on('data', (d) => (log += String(d)));
    try {
      let body: { extensions: { id: string; status: string; reason: string }[] } | undefined;
      for (let i = 0; i < 200 && !body; i++) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/extensions`);
          if (res.ok) body = (await res.json()) as typeof body;
        } catch {
          // not listening yet
        }
        if (!body) await new Promise((r) => setTimeout(r, 100));
        if (child.exitCode !== null) assert.fail(`the server exited (${child.exitCode}):\n${log}`);
      }
      assert.ok(body, `the server did not answer:\n${log}`);
      const byId = new Map(body.extensions.map((e) => [e.id, e]));
      for (const id of BUILTINS) assert.equal(byId.get(id)?.status, 'loaded', `${id}: ${byId.get(id)?.reason ?? 'not found'}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  });
});
