import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runExtKeygen, runExtSign } from '../../../../src/cli/ext/sign.js';
import { isSpecterError } from '../../../../src/errors/index.js';
import { PluginInstaller, SIGNATURE_FILE, verifyPackageSignature } from '../../../../src/extensions/install/index.js';
import { capture, tempDir } from './_helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('specter ext keygen / sign', () => {
  it('keygen writes a private PEM (0600) and the public key, never overwriting; sign writes SPECTER_SIGNATURE.json', async () => {
    const cwd = await tempDir();
    dirs.push(cwd);
    const out = capture();
    assert.equal(await runExtKeygen({ out: 'alice' }, { output: out, cwd }), 0, out.text());
    const pub = (await fs.readFile(path.join(cwd, 'alice.pub'), 'utf8')).trim();
    assert.match(out.text(), new RegExp(`"trusted_keys": \\{ "<your name>": "${pub.replace(/[+/]/g, '\\$&')}" \\}`));
    assert.equal((await fs.stat(path.join(cwd, 'alice.pem'))).mode & 0o777, 0o600);
    const err = capture();
    assert.equal(await runExtKeygen({ out: 'alice' }, { output: capture(), errorOutput: err, cwd }), 1);
    assert.match(err.text(), /alice\.pem exists; it is never overwritten/);

    const pkg = path.join(cwd, 'pkg');
    await fs.mkdir(pkg);
    await fs.writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'specterext-a', version: '1.0.0' }));
    const signed = capture();
    assert.equal(await runExtSign('pkg', { key: 'alice.pem' }, { output: signed, cwd }), 0, signed.text());
    assert.match(signed.text(), /Signed specterext-a 1\.0\.0: 1 files/);
    await fs.access(path.join(pkg, SIGNATURE_FILE));
    assert.equal((await verifyPackageSignature(pkg, { alice: pub })).signer, 'alice');

    const bad = capture();
    assert.equal(await runExtSign('pkg', { key: 'alice.pub' }, { output: capture(), errorOutput: bad, cwd }), 1);
    assert.match(bad.text(), /not a private key/);
  });
});

describe('the plugins folder lock', () => {
  it('a live holder makes others wait (EXT_INSTALL_BUSY); a dead one is taken over', async () => {
    const data = await tempDir();
    dirs.push(data);
    const installer = new PluginInstaller({ dataFolder: data });
    await fs.mkdir(installer.pluginsDir, { recursive: true });
    const lock = path.join(installer.pluginsDir, '.lock');
    await fs.writeFile(lock, String(process.pid));
    await assert.rejects(installer.uninstall('x'), (e: unknown) => isSpecterError(e) && e.code === 'SPECTER_ERR_EXT_INSTALL_BUSY');
    // No process has this pid (above Linux's pid_max); the lock is stale.
    await fs.writeFile(lock, '99999999');
    await assert.rejects(installer.uninstall('x'), (e: unknown) => isSpecterError(e) && e.code === 'SPECTER_ERR_EXT_NOT_FOUND');
    await assert.rejects(fs.access(lock), 'the lock is released afterwards');
  });
});
