import fs from 'node:fs/promises';
import path from 'node:path';
import { isSpecterError } from '../../errors/index.js';
import { generateSigningKey, SIGNATURE_FILE, signPackage } from '../../extensions/install/index.js';

/**
 * `specter ext keygen` and `specter ext sign`: the author's side of plugin signatures (ed25519,
 * node:crypto). The private key stays with the author; its public key goes into the admins'
 * config.json `trusted_keys`.
 */
export interface ExtIo {
  output?: NodeJS.WritableStream;
  errorOutput?: NodeJS.WritableStream;
  cwd?: string;
}

function fail(name: string, e: unknown, io: ExtIo): number {
  const err = io.errorOutput ?? process.stderr;
  if (isSpecterError(e)) err.write(`specter ext ${name}: ${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}`);
  else err.write(`specter ext ${name}: ${(e as Error).message ?? String(e)}\n`);
  return 1;
}

/** Writes `<out>.pem` (private, mode 0600, never overwritten) and `<out>.pub` (the base64 public key). */
export async function runExtKeygen(opts: { out: string }, io: ExtIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  try {
    const base = path.resolve(io.cwd ?? process.cwd(), opts.out.replace(/\.(pem|pub)$/, ''));
    const key = generateSigningKey();
    await fs.writeFile(`${base}.pem`, key.privateKeyPem, { flag: 'wx', mode: 0o600 });
    await fs.writeFile(`${base}.pub`, `${key.publicKey}\n`, { flag: 'wx' });
    out.write(
      [
        `Private key: ${base}.pem (keep it secret, off the server)`,
        `Public key:  ${base}.pub`,
        '',
        'Admins who trust you add this to config.json in their data folder:',
        `  "trusted_keys": { "<your name>": "${key.publicKey}" }`,
        `Fingerprint: ${key.fingerprint}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      return fail('keygen', new Error(`${(e as NodeJS.ErrnoException).path} exists; it is never overwritten. Choose another --out.`), io);
    }
    return fail('keygen', e, io);
  }
}

/** Signs a package folder (built, as it will be packed) into its SPECTER_SIGNATURE.json. */
export async function runExtSign(dir: string, opts: { key: string }, io: ExtIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  try {
    const cwd = io.cwd ?? process.cwd();
    const signed = await signPackage(path.resolve(cwd, dir), path.resolve(cwd, opts.key));
    out.write(
      `Signed ${signed.package.name} ${signed.package.version}: ${Object.keys(signed.files).length} files, key ${signed.fingerprint}.\n` +
        `Wrote ${signed.file}. Keep ${SIGNATURE_FILE} in package.json "files"; sign again after every change (npm pack runs after).\n`,
    );
    return 0;
  } catch (e) {
    return fail('sign', e, io);
  }
}
