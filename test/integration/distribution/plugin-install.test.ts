/**
 * A stranger's plugin life cycle, offline (npm's registry unreachable, everything from its cache):
 * `ext gen` → `npm install` → `npm pack` → `PluginInstaller.install(tarball)` into a fresh data
 * folder → the app, started afterwards, lists it `loaded` and serves its page → integrity and
 * signature checks at start → uninstall with and without its data. ~30–60 s (three at a time: npm mostly waits), most of it npm and tsc.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runExtUninstall } from '../../../src/cli/ext/install.js';
import { isSpecterError } from '../../../src/errors/index.js';
import { PluginInstaller, generateSigningKey, readPluginsFile, signPackage, SIGNATURE_FILE } from '../../../src/extensions/install/index.js';
import { createTestSpecter, TEST_DESCRIPTORS, type TestSpecter } from '../../../src/testing/index.js';
import { repoRoot } from '../../helpers/files.js';
import { genAndPack, mustRun, NPM, offlineNpmEnv, packedName, packPlain } from '../../helpers/plugin-packages.js';

const PASSWORD = 'a long test password';
let root: string;
let duck: { packageDir: string; tarball: string };

before(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'specter-plugins-')));
  duck = await genAndPack(root, 'duckling');
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function dataFolder(): Promise<string> {
  return fs.mkdtemp(path.join(root, 'data-'));
}

function installer(data: string, trustedKeys: Record<string, string> = {}): PluginInstaller {
  return new PluginInstaller({ dataFolder: data, env: offlineNpmEnv(), cwd: root, builtinDir: path.join(repoRoot(), 'extensions'), trustedKeys });
}

async function boot(data: string): Promise<TestSpecter> {
  return createTestSpecter({ dataFolder: data, config: { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } });
}

async function refused(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isSpecterError(err), String(err));
    assert.equal(err.code, `SPECTER_ERR_${code}`, err.message);
    return err;
  }
  assert.fail(`expected SPECTER_ERR_${code}`);
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );

describe('specter ext install: a packed ext-gen plugin, offline', { concurrency: 3, timeout: 300_000 }, () => {
  it('the packed package.json carries no local path, and no specter-ts for npm to fetch', async () => {
    const out = await mustRun('tar', ['xzf', duck.tarball, '-O', 'package/package.json'], root);
    assert.doesNotMatch(out, /file:|\/tmp\/|\/work\/|\/home\//);
    const pkg = JSON.parse(out);
    assert.equal(pkg.devDependencies['specter-ts'], undefined);
    assert.equal(pkg.peerDependencies, undefined);
  });

  it('install → the app started afterwards lists it loaded and serves its page; plugins.json records it', async () => {
    const data = await dataFolder();
    const result = await installer(data).install(path.relative(root, duck.tarball));
    assert.equal(result.action, 'installed');
    assert.equal(result.record.id, 'duckling');
    assert.equal(result.record.signer, null);
    const file = await readPluginsFile(path.join(data, 'plugins'));
    assert.equal(file.plugins.length, 1);
    const rec = file.plugins[0]!;
    assert.equal(rec.packageName, 'specterext-duckling');
    assert.equal(rec.version, '0.0.1');
    assert.match(rec.integrity ?? '', /^sha512-/);
    assert.ok(rec.files['dist/src/index.js'] && rec.files['package.json']);
    // npm installed no specter-ts: the app provides it.
    assert.equal(await exists(path.join(data, 'plugins', 'node_modules', 'specter-ts')), false);

    const specter = await boot(data);
    try {
      const row = specter.statuses().find((s) => s.id === 'duckling');
      assert.equal(row?.status, 'loaded', row?.reason);
      assert.equal(row?.source, 'plugins');
      assert.equal(row?.signer, null);
      await specter.setAuth('passwordonly', PASSWORD);
      const client = await specter.login(PASSWORD);
      await specter.activate('admin', 'duckling');
      const page = await client.get('/spc/ext/duckling/');
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, /Welcome to Duckling/);
      const choose = (await client.get('/spc/plugins/choose')).body;
      assert.match(choose, /data-ext="duckling"[\s\S]*?data-signature[^>]*>unsigned</);
      assert.match(choose, /data-ext="notes"[\s\S]*?data-signature[^>]*>built in</);
    } finally {
      await specter.close();
    }
  });

  it('a modified installed file → failed at start, naming the file; update reinstalls it', async () => {
    const data = await dataFolder();
    const inst = installer(data);
    await inst.install(duck.tarball);
    const file = path.join(data, 'plugins', 'node_modules', 'specterext-duckling', 'dist', 'src', 'controller.js');
    await fs.appendFile(file, '\n// changed\n');
    let specter = await boot(data);
    try {
      const row = specter.statuses().find((s) => s.id === 'duckling');
      assert.equal(row?.status, 'failed');
      assert.match(row?.reason ?? '', /dist\/src\/controller\.js was modified/);
    } finally {
      await specter.close();
    }
    const [updated] = await inst.update('duckling');
    assert.equal(updated?.action, 'unchanged', 'the recorded files are the good ones');
    assert.doesNotMatch(await fs.readFile(file, 'utf8'), /changed/);
    specter = await boot(data);
    try {
      assert.equal(specter.statuses().find((s) => s.id === 'duckling')?.status, 'loaded');
    } finally {
      await specter.close();
    }
    // Uninstall without --remove-data: the code goes, its data folder stays.
    const gone = await inst.uninstall('duckling');
    assert.deepEqual(gone.removed, []);
    assert.equal(await exists(path.join(data, 'plugins', 'node_modules', 'specterext-duckling')), false);
    assert.ok(await exists(path.join(data, 'extensions', 'duckling')));
  });

  it('a newer tarball updates the plugin and replaces its copy; update works when the original file is gone', async () => {
    const data = await dataFolder();
    const inst = installer(data);
    const v1 = path.join(root, 'v1', path.basename(duck.tarball));
    await fs.mkdir(path.dirname(v1), { recursive: true });
    await fs.copyFile(duck.tarball, v1);
    await inst.install(v1);
    const next = path.join(root, 'next-duckling');
    await fs.cp(duck.packageDir, next, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('.tgz') });
    const pkgFile = path.join(next, 'package.json');
    await fs.writeFile(pkgFile, (await fs.readFile(pkgFile, 'utf8')).replace('"version": "0.0.1"', '"version": "0.0.2"'));
    const v2 = path.join(next, packedName(await mustRun(NPM, ['pack', '--json', '--ignore-scripts'], next)));
    const result = await inst.install(v2);
    assert.equal(result.action, 'updated');
    assert.equal(result.previous?.version, '0.0.1');
    assert.equal(result.record.version, '0.0.2');
    assert.deepEqual(await fs.readdir(path.join(data, 'plugins', 'tarballs')), ['specterext-duckling-0.0.2.tgz']);
    await fs.rm(v2);
    const [again] = await inst.update('duckling');
    assert.equal(again?.action, 'unchanged');
    assert.deepEqual(
      (await inst.list()).map((r) => [r.id, r.version]),
      [['duckling', '0.0.2']],
    );
  });

  it('a refused update leaves the installed plugin as it was', async () => {
    const data = await dataFolder();
    const inst = installer(data);
    const source = path.join(root, 'moving', path.basename(duck.tarball));
    await fs.mkdir(path.dirname(source), { recursive: true });
    await fs.copyFile(duck.tarball, source);
    await inst.install(source);
    const recorded = await inst.list();
    // The file the plugin was installed from is replaced by something that is not an extension.
    await fs.copyFile(await packPlain(path.join(root, 'moving')), source);
    await refused(inst.update('duckling'), 'EXT_NOT_AN_EXTENSION');
    assert.deepEqual(await inst.list(), recorded);
    assert.equal(await exists(path.join(data, 'plugins', 'node_modules', 'plain-pkg')), false);
    const specter = await boot(data);
    try {
      const row = specter.statuses().find((s) => s.id === 'duckling');
      assert.equal(row?.status, 'loaded', row?.reason);
    } finally {
      await specter.close();
    }
  });

  it('a package that is not an extension is refused and nothing is left installed', async () => {
    const data = await dataFolder();
    const inst = installer(data);
    await inst.install(duck.tarball);
    const pluginsDir = path.join(data, 'plugins');
    const pkgBefore = await fs.readFile(path.join(pluginsDir, 'package.json'), 'utf8');
    const plain = await packPlain(root);
    const err = await refused(inst.install(plain), 'EXT_NOT_AN_EXTENSION');
    assert.match(err.message, /plain-pkg is not a Specter TS extension/);
    assert.equal(await fs.readFile(path.join(pluginsDir, 'package.json'), 'utf8'), pkgBefore);
    assert.equal(await exists(path.join(pluginsDir, 'node_modules', 'plain-pkg')), false);
    assert.equal(await exists(path.join(pluginsDir, 'tarballs', path.basename(plain))), false);
    assert.deepEqual(
      (await inst.list()).map((r) => r.id),
      ['duckling'],
    );
  });

  it('an unreachable registry is a clear error; a missing tarball too', async () => {
    const data = await dataFolder();
    const inst = installer(data);
    const err = await refused(inst.install('specterext-not-in-any-cache'), 'EXT_REGISTRY_UNREACHABLE');
    assert.match(err.message, /registry could not be reached/);
    await refused(inst.install('./no-such-plugin-1.0.0.tgz'), 'EXT_PACKAGE_NOT_FOUND');
    assert.deepEqual(await inst.list(), []);
  });

  it('signed: the trusted signer is shown; an untrusted key or a tampered signature is refused', async () => {
    // A copy of the built package, signed, packed without rebuilding.
    const signedDir = path.join(root, 'signed-duckling');
    await fs.cp(duck.packageDir, signedDir, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('.tgz') });
    const key = generateSigningKey();
    const keyFile = path.join(root, 'alice.pem');
    await fs.writeFile(keyFile, key.privateKeyPem, { mode: 0o600 });
    const staged = path.join(root, 'stage');
    await fs.mkdir(staged, { recursive: true });
    // What npm will unpack is what gets signed: pack, unpack, sign the unpacked folder, pack that.
    const first = packedName(await mustRun(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', staged], signedDir));
    await mustRun('tar', ['xzf', path.join(staged, first), '-C', staged], root);
    await signPackage(path.join(staged, 'package'), keyFile);
    const signedTgz = path.join(
      root,
      packedName(await mustRun(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', root], path.join(staged, 'package'))),
    );

    const untrusted = await refused(installer(await dataFolder()).install(signedTgz), 'EXT_SIGNATURE_INVALID');
    assert.match(untrusted.message, /not trusted/);

    const data = await dataFolder();
    const result = await installer(data, { alice: key.publicKey }).install(signedTgz);
    assert.equal(result.record.signer, 'alice');
    await fs.writeFile(path.join(data, 'config.json'), JSON.stringify({ auth: { method: 'none' }, trusted_keys: { alice: key.publicKey } }));
    let specter = await boot(data);
    try {
      const row = specter.statuses().find((s) => s.id === 'duckling');
      assert.equal(row?.status, 'loaded', row?.reason);
      assert.equal(row?.signer, 'alice');
      const choose = (await specter.client().get('/spc/plugins/choose')).body;
      assert.match(choose, /data-ext="duckling"[\s\S]*?data-signature[^>]*>signed by alice</);
      const api = JSON.parse((await specter.client().get('/api/v1/extensions')).body) as { extensions: { id: string; signer: string | null }[] };
      assert.equal(api.extensions.find((e) => e.id === 'duckling')?.signer, 'alice');
    } finally {
      await specter.close();
    }

    // Tampered: the signature no longer matches what it claims to sign.
    const sigFile = path.join(data, 'plugins', 'node_modules', 'specterext-duckling', SIGNATURE_FILE);
    const sig = JSON.parse(await fs.readFile(sigFile, 'utf8'));
    sig.files['dist/src/index.js'] = sig.files['dist/src/controller.js'];
    await fs.writeFile(sigFile, JSON.stringify(sig));
    specter = await boot(data);
    try {
      const row = specter.statuses().find((s) => s.id === 'duckling');
      assert.equal(row?.status, 'failed');
      assert.match(row?.reason ?? '', /signature .* does not verify/);
    } finally {
      await specter.close();
    }
  });

  it('uninstall --remove-data (the CLI) removes its folder and its stored entries', async () => {
    const data = await dataFolder();
    await installer(data).install(duck.tarball);
    const specter = await boot(data);
    try {
      await specter.setAuth('passwordonly', PASSWORD);
      const client = await specter.login(PASSWORD);
      await specter.activate('admin', 'duckling');
      const wallet = await specter.createWallet('Duck Pond', TEST_DESCRIPTORS.singleSig);
      const saved = await client.post('/spc/ext/duckling/settings', { wallet: wallet.alias });
      assert.equal(saved.statusCode, 302, saved.body);
    } finally {
      await specter.close();
    }
    const services = path.join(data, 'users', 'admin', 'unencrypted_services.json');
    assert.ok(JSON.parse(await fs.readFile(services, 'utf8')).duckling, 'the plugin stored something');
    assert.ok(await exists(path.join(data, 'extensions', 'duckling')));

    const out: string[] = [];
    const io = { output: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream, env: { ...offlineNpmEnv() }, cwd: root };
    assert.equal(await runExtUninstall('duckling', { dataFolder: data, config: 'TestConfig', removeData: true }, io), 0, out.join(''));
    assert.match(out.join(''), /Uninstalled plugin "duckling"/);
    assert.equal(await exists(path.join(data, 'plugins', 'node_modules', 'specterext-duckling')), false);
    assert.equal(await exists(path.join(data, 'extensions', 'duckling')), false);
    assert.equal(JSON.parse(await fs.readFile(services, 'utf8')).duckling, undefined);
    assert.deepEqual((await readPluginsFile(path.join(data, 'plugins'))).plugins, []);
    const after = await boot(data);
    try {
      assert.equal(
        after.statuses().find((s) => s.id === 'duckling'),
        undefined,
      );
    } finally {
      await after.close();
    }
  });
});
