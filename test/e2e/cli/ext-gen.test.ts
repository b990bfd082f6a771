/**
 * End to end for extension authors (slow: ~30–60 s on 2 cores, most of it npm and tsc; run it
 * with the other integration tests, not in a watch loop):
 *
 *   specter ext gen … --yes  →  specter ext validate  →  npm install (the registry unreachable:
 *   from npm's cache, through the generated lockfile; specter-ts is the `.specter-ts` link to this
 *   checkout, not a dependency)  →  npm run build  →  npm test (the generated suite)
 *   →  specter ext validate on the built package  →  boot Specter TS in-process with the package
 *   and look at what a user would see.
 *
 * Three packages: the default one, an isolated client, and one with encrypted data and a device
 * type. Needs the repository built (`npm run build`) and npm's cache to hold typescript and
 * @types/node (true wherever `npm install` ran for this repository).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestSpecter, TEST_DESCRIPTORS } from '../../../src/testing/index.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The built CLI; SPECTER_CLI may point elsewhere (e.g. a wrapper while the CLI is being wired). */
const CLI = process.env.SPECTER_CLI ?? path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PASSWORD = 'a long test password';

interface Run {
  code: number | null;
  out: string;
}

/** Runs a command; never inherits the parent's node:test context (a nested `node --test` must report normally). */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Offline: a registry nobody answers at; everything must come from npm's cache.
    npm_config_registry: 'http://127.0.0.1:9',
    npm_config_fetch_retries: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.out}`);
  return r.out;
}

let root: string;
before(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'specter-extgen-')));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** gen → validate → install → build → test → validate: returns the package folder. */
async function generateAndTest(name: string, flags: string[]): Promise<{ pkg: string; testOutput: string }> {
  const dir = path.join(root, name);
  await fs.mkdir(dir);
  const gen = ok(
    await run(process.execPath, [CLI, 'ext', 'gen', '--id', 'rubberduck', '--org', 'mynym', '--yes', '--dir', dir, ...flags], root),
    'ext gen',
  );
  assert.match(gen, /Next steps:/);
  const pkg = path.join(dir, 'specterext-rubberduck');
  const manifest = JSON.parse(await fs.readFile(path.join(pkg, 'package.json'), 'utf8'));
  assert.equal(manifest.devDependencies['specter-ts'], undefined, 'no specter-ts to fetch');
  assert.equal(await fs.realpath(path.join(pkg, '.specter-ts')), await fs.realpath(REPO_ROOT));

  ok(await run(process.execPath, [CLI, 'ext', 'validate', pkg], root), 'ext validate (source)');
  ok(await run(NPM, ['install'], pkg), 'npm install');
  ok(await run(NPM, ['run', 'build'], pkg), 'npm run build');
  const testOutput = ok(await run(NPM, ['test'], pkg), 'npm test');
  assert.match(testOutput, /# fail 0/);
  const validated = ok(await run(process.execPath, [CLI, 'ext', 'validate', pkg], root), 'ext validate (built)');
  assert.match(validated, /No problems found/);
  assert.doesNotMatch(validated, /not built yet/);
  return { pkg, testOutput };
}

describe('specter ext gen → a green, loadable npm package', { concurrency: true, timeout: 300_000 }, () => {
  it('default: pages inside the layout, settings with a wallet picker, a wallet tab', async () => {
    const { pkg, testOutput } = await generateAndTest('plain', []);
    assert.match(testOutput, /# pass 3/);

    const specter = await createTestSpecter({ extensions: [pkg], config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } });
    try {
      const row = specter.statuses().find((s) => s.id === 'rubberduck');
      assert.equal(row?.status, 'loaded', row?.reason);
      await specter.setAuth('passwordonly', PASSWORD);
      const client = await specter.login(PASSWORD);
      assert.equal((await client.get('/spc/ext/rubberduck/')).statusCode, 404, 'not active yet');
      await specter.activate('admin', 'rubberduck');

      const page = await client.get('/spc/ext/rubberduck/');
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, /class="sidebar"/);
      assert.match(page.body, /data-ext="rubberduck"/, 'listed in the sidebar');
      assert.match(page.body, /\/spc\/ext\/rubberduck\/static\/rubberduck\/css\/styles\.css/);
      const icon = await client.get('/spc/ext/rubberduck/static/rubberduck/img/icon.svg');
      assert.equal(icon.statusCode, 200);
      assert.match(icon.body, /<svg/);

      // The picker lists the user's wallets; the choice is kept in the user's data.
      const wallets = specter.specter.services.wallets;
      await wallets.importDescriptor(
        'wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/0/*)',
        { name: 'Duck Wallet' },
      );
      const alias = (await wallets.list())[0]!.alias;
      const settings = await client.get('/spc/ext/rubberduck/settings');
      assert.match(settings.body, new RegExp(`<option value="${alias}">Duck Wallet</option>`));
      const saved = await client.post('/spc/ext/rubberduck/settings', { wallet: alias });
      assert.equal(saved.statusCode, 302, saved.body);
      const after = await client.follow(saved);
      assert.match(after.body, new RegExp(`<option value="${alias}" selected>`));
      assert.match((await client.get('/spc/ext/rubberduck/')).body, /You picked the wallet <strong>/);
      const tab = await client.get(`/spc/ext/rubberduck/wallet/${alias}`);
      assert.match(tab.body, /Rubberduck uses this wallet\./);
      const stored = JSON.parse(await fs.readFile(path.join(specter.dataFolder, 'users', 'admin', 'unencrypted_services.json'), 'utf8'));
      assert.deepEqual(JSON.parse(stored.rubberduck), { wallet: alias });
    } finally {
      await specter.close();
    }
  });

  it('--isolated-client: a standalone page at /ext/<id>/, no session needed', async () => {
    const { pkg, testOutput } = await generateAndTest('isolated', ['--isolated-client']);
    assert.match(testOutput, /# pass 2/);

    const specter = await createTestSpecter({ extensions: [pkg], config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } });
    try {
      assert.equal(specter.statuses().find((s) => s.id === 'rubberduck')?.status, 'loaded');
      const res = await specter.client().get('/ext/rubberduck/');
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /<h1><img[^>]+\/ext\/rubberduck\/static\/rubberduck\/img\/logo\.svg/);
      assert.doesNotMatch(res.body, /class="sidebar"/);
      assert.equal((await specter.client().get('/spc/ext/rubberduck/')).statusCode, 404);
    } finally {
      await specter.close();
    }
  });

  it('--device Dice --encrypt-data: the device type is registered, the data is encrypted', async () => {
    const { pkg, testOutput } = await generateAndTest('device', ['--device', 'Dice', '--encrypt-data']);
    assert.match(testOutput, /# pass 4/);

    const specter = await createTestSpecter({ extensions: [pkg], config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } });
    try {
      assert.equal(specter.statuses().find((s) => s.id === 'rubberduck')?.status, 'loaded');
      const type = specter.specter.services.devices.types.get('dice');
      assert.equal(type.name, 'Dice');
      assert.equal(type.icon, '/spc/ext/rubberduck/static/rubberduck/img/device_icon.svg');
      // …and is offered in the "add device" picker, with its icon.
      const picker = await specter.client().get('/spc/devices/new');
      assert.equal(picker.statusCode, 200);
      assert.match(picker.body, /value="dice"/);
      assert.match(picker.body, /\/spc\/ext\/rubberduck\/static\/rubberduck\/img\/device_icon\.svg/);

      // Auth "none": no password, so no encrypted data: the plugin cannot be activated (the seed's rule).
      await assert.rejects(specter.activate('admin', 'rubberduck'), /keeps its data encrypted with your password/);
      assert.equal((await specter.client().get('/spc/ext/rubberduck/')).statusCode, 404);

      await specter.setAuth('passwordonly', PASSWORD);
      await specter.activate('admin', 'rubberduck');
      const client = await specter.login(PASSWORD);
      assert.equal((await client.get('/spc/ext/rubberduck/')).statusCode, 200);
      const wallet = await specter.createWallet('Dice Pond', TEST_DESCRIPTORS.singleSig);
      assert.equal((await client.post('/spc/ext/rubberduck/settings', { wallet: wallet.alias })).statusCode, 302);
      const file = JSON.parse(await fs.readFile(path.join(specter.dataFolder, 'users', 'admin', 'services.json'), 'utf8'));
      assert.match(file.rubberduck, /^gAAAAA/, 'a Fernet token, not JSON');
    } finally {
      await specter.close();
    }
  });
});
