import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isSpecterError } from '../../../../src/errors/index.js';
import {
  describeDiff,
  diffHashes,
  generateSigningKey,
  hashPackageFiles,
  parsePublicKey,
  SIGNATURE_FILE,
  signPackage,
  verifyPackageSignature,
} from '../../../../src/extensions/install/index.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function pkg(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'specter-sig-'));
  dirs.push(dir);
  await fs.mkdir(path.join(dir, 'dist'), { recursive: true });
  await fs.mkdir(path.join(dir, 'node_modules', 'dep'), { recursive: true });
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'specterext-x', version: '1.2.3' }));
  await fs.writeFile(path.join(dir, 'dist', 'index.js'), 'export default 1;\n');
  await fs.writeFile(path.join(dir, 'node_modules', 'dep', 'a.js'), 'ignored\n');
  return dir;
}

async function keyFile(dir: string) {
  const key = generateSigningKey();
  const file = path.join(dir, 'key.pem');
  await fs.writeFile(file, key.privateKeyPem);
  return { ...key, file };
}

async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isSpecterError(err), String(err));
    assert.equal(err.code, `SPECTER_ERR_${code}`);
    assert.match(err.message, re);
    return true;
  });
}

describe('plugin file hashes', () => {
  it('hash every file except nested node_modules and the signature file, and name what changed', async () => {
    const dir = await pkg();
    const before = await hashPackageFiles(dir);
    assert.deepEqual(Object.keys(before), ['dist/index.js', 'package.json']);
    assert.match(before['dist/index.js']!, /^sha512-[A-Za-z0-9+/]+=*$/);
    await fs.writeFile(path.join(dir, 'dist', 'index.js'), 'export default 2;\n');
    await fs.writeFile(path.join(dir, 'dist', 'extra.js'), '\n');
    await fs.rm(path.join(dir, 'package.json'));
    await fs.writeFile(path.join(dir, SIGNATURE_FILE), '{}');
    const diff = diffHashes(before, await hashPackageFiles(dir));
    assert.deepEqual(diff, { changed: ['dist/index.js'], added: ['dist/extra.js'], removed: ['package.json'] });
    assert.equal(describeDiff(diff), 'dist/index.js was modified, dist/extra.js was added, package.json was removed');
  });
});

describe('plugin signatures (ed25519)', () => {
  it('unsigned: no signer', async () => {
    assert.deepEqual(await verifyPackageSignature(await pkg(), {}), { signer: null, keyFingerprint: null });
  });

  it('signed with a trusted key: the signer is its name in trusted_keys (base64 or PEM)', async () => {
    const dir = await pkg();
    const key = await keyFile(dir);
    const signed = await signPackage(dir, key.file);
    assert.equal(signed.package.name, 'specterext-x');
    assert.deepEqual(Object.keys(signed.files), ['dist/index.js', 'key.pem', 'package.json']);
    const check = await verifyPackageSignature(dir, { bob: generateSigningKey().publicKey, alice: key.publicKey });
    assert.equal(check.signer, 'alice');
    assert.equal(check.keyFingerprint, key.fingerprint);
    const pem = parsePublicKey(key.publicKey)!.export({ format: 'pem', type: 'spki' }).toString();
    assert.equal((await verifyPackageSignature(dir, { 'alice pem': pem })).signer, 'alice pem');
  });

  it('refuses an untrusted key, naming the key to add', async () => {
    const dir = await pkg();
    const key = await keyFile(dir);
    await signPackage(dir, key.file);
    await rejectsWith(
      verifyPackageSignature(dir, {}),
      'EXT_SIGNATURE_INVALID',
      new RegExp(`not trusted \\(${key.publicKey.replace(/[+/]/g, '\\$&')}`),
    );
  });

  it('refuses a file changed after signing, naming it', async () => {
    const dir = await pkg();
    const key = await keyFile(dir);
    await signPackage(dir, key.file);
    await fs.appendFile(path.join(dir, 'dist', 'index.js'), '// evil\n');
    await rejectsWith(verifyPackageSignature(dir, { a: key.publicKey }), 'EXT_SIGNATURE_INVALID', /dist\/index\.js was modified/);
  });

  it('refuses a signature file whose list was edited, or signed by another key than it claims', async () => {
    const dir = await pkg();
    const key = await keyFile(dir);
    await signPackage(dir, key.file);
    const file = path.join(dir, SIGNATURE_FILE);
    const original = await fs.readFile(file, 'utf8');
    const edited = JSON.parse(original);
    edited.files['dist/index.js'] = edited.files['package.json'];
    await fs.writeFile(file, JSON.stringify(edited));
    await rejectsWith(verifyPackageSignature(dir, { a: key.publicKey }), 'EXT_SIGNATURE_INVALID', /does not verify/);
    const swapped = JSON.parse(original);
    swapped.publicKey = generateSigningKey().publicKey;
    await fs.writeFile(file, JSON.stringify(swapped));
    await rejectsWith(verifyPackageSignature(dir, { a: swapped.publicKey }), 'EXT_SIGNATURE_INVALID', /does not verify/);
    await fs.writeFile(file, 'not json');
    await rejectsWith(verifyPackageSignature(dir, {}), 'EXT_SIGNATURE_INVALID', /not a valid specter-signature-v1 file/);
  });

  it('signing needs an ed25519 private key', async () => {
    const dir = await pkg();
    await rejectsWith(signPackage(dir, path.join(dir, 'missing.pem')), 'EXT_SIGNING_KEY', /cannot be read/);
    await fs.writeFile(path.join(dir, 'bad.pem'), 'nope');
    await rejectsWith(signPackage(dir, path.join(dir, 'bad.pem')), 'EXT_SIGNING_KEY', /not a private key/);
  });
});
