import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import { diffHashes, describeDiff, hashPackageFiles, isSameFileSet, SIGNATURE_FILE, type FileHashes } from './file-hashes.js';

/**
 * Plugin signatures, Grafana's MANIFEST / Electrum's style: the author signs the list of the
 * package's file hashes with an ed25519 key (`specter ext sign`), the admin lists the public keys
 * they trust in config.json `trusted_keys` (name → key), and the loader checks that the signature
 * verifies, covers exactly the files present, and was made with a trusted key. node:crypto only.
 */
export const SIGNATURE_FORMAT = 'specter-signature-v1';

export const signatureFileSchema = z.object({
  format: z.literal(SIGNATURE_FORMAT),
  package: z.object({ name: z.string(), version: z.string() }),
  /** The signer's ed25519 public key: 32 raw bytes, base64. */
  publicKey: z.string(),
  files: z.record(z.string(), z.string()),
  /** ed25519 over {@link signedPayload}, base64. */
  signature: z.string(),
});
export type SignatureFile = z.infer<typeof signatureFileSchema>;

/** What was found: `signer` is the trusted key's name; null when the package is unsigned. */
export interface SignatureCheck {
  signer: string | null;
  /** Fingerprint of the signing key (first 16 hex digits of its sha256), null when unsigned. */
  keyFingerprint: string | null;
}

/** The exact bytes signed: the fields in a fixed order, files sorted. */
export function signedPayload(file: Omit<SignatureFile, 'signature'>): Buffer {
  const files = Object.fromEntries(Object.entries(file.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(JSON.stringify({ format: file.format, package: file.package, publicKey: file.publicKey, files }), 'utf8');
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as { x?: string };
  return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
}

/** A public key from config: 32 raw bytes in base64, or a PEM "PUBLIC KEY". Undefined if neither. */
export function parsePublicKey(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      const key = createPublicKey(trimmed);
      return key.asymmetricKeyType === 'ed25519' ? key : undefined;
    }
    const raw = Buffer.from(trimmed, 'base64');
    if (raw.length !== 32) return undefined;
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export function keyFingerprint(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 16);
}

/** A new ed25519 key pair: the private key as PEM (PKCS#8), the public key as base64 (for trusted_keys). */
export function generateSigningKey(): { privateKeyPem: string; publicKey: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = rawPublicKey(publicKey);
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: pub, fingerprint: keyFingerprint(pub) };
}

function loadPrivateKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new SpecterError('EXT_SIGNING_KEY', `${where} is not a private key in PEM (${(err as Error).message}).`, {
      hint: 'Make a key with "specter ext keygen --out <name>" and pass <name>.pem.',
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SpecterError('EXT_SIGNING_KEY', `${where} is a ${key.asymmetricKeyType} key; plugin signatures use ed25519.`, {
      hint: 'Make a key with "specter ext keygen --out <name>".',
    });
  }
  return key;
}

/** Signs the package folder (its files as they are now) and writes SPECTER_SIGNATURE.json into it. */
export async function signPackage(dir: string, keyFile: string): Promise<SignatureFile & { file: string; fingerprint: string }> {
  let pem: string;
  try {
    pem = await fs.readFile(keyFile, 'utf8');
  } catch (err) {
    throw new SpecterError('EXT_SIGNING_KEY', `The key file ${keyFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: 'Give the private key made by "specter ext keygen".',
    });
  }
  const privateKey = loadPrivateKey(pem, keyFile);
  const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  const unsigned: Omit<SignatureFile, 'signature'> = {
    format: SIGNATURE_FORMAT,
    package: { name: String(pkg.name ?? ''), version: String(pkg.version ?? '') },
    publicKey: rawPublicKey(createPublicKey(privateKey)),
    files: await hashPackageFiles(dir),
  };
  const signature = sign(null, signedPayload(unsigned), privateKey).toString('base64');
  const file = path.join(dir, SIGNATURE_FILE);
  const full: SignatureFile = { ...unsigned, signature };
  await fs.writeFile(file, `${JSON.stringify(full, null, 2)}\n`);
  return { ...full, file, fingerprint: keyFingerprint(unsigned.publicKey) };
}

async function readSignatureFile(dir: string): Promise<SignatureFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, SIGNATURE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = signatureFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SpecterError('EXT_SIGNATURE_INVALID', `${SIGNATURE_FILE} is not a valid ${SIGNATURE_FORMAT} file.`, {
      hint: 'Get the plugin from its author again, or remove the file to load it as unsigned.',
    });
  }
  return parsed.data;
}

/**
 * Checks a package folder's signature. Unsigned → `{signer: null}`. Throws EXT_SIGNATURE_INVALID
 * when the signature does not verify, the signed file list differs from the files present (named),
 * or the key is not in `trustedKeys`. `files` may be passed when already computed.
 */
export async function verifyPackageSignature(
  dir: string,
  trustedKeys: Readonly<Record<string, string>>,
  files?: FileHashes,
): Promise<SignatureCheck> {
  const sig = await readSignatureFile(dir);
  if (!sig) return { signer: null, keyFingerprint: null };
  const fingerprint = keyFingerprint(sig.publicKey);
  const key = parsePublicKey(sig.publicKey);
  const { signature, ...unsigned } = sig;
  if (!key || !verify(null, signedPayload(unsigned), key, Buffer.from(signature, 'base64'))) {
    throw new SpecterError('EXT_SIGNATURE_INVALID', `the signature in ${SIGNATURE_FILE} does not verify (key ${fingerprint}).`, {
      hint: 'The signature file was altered or damaged: get the plugin from its author again.',
    });
  }
  const diff = diffHashes(sig.files, files ?? (await hashPackageFiles(dir)));
  if (!isSameFileSet(diff)) {
    throw new SpecterError('EXT_SIGNATURE_INVALID', `the files differ from what was signed: ${describeDiff(diff)}.`, {
      hint: 'The package was changed after signing: get it from its author again.',
    });
  }
  for (const [name, text] of Object.entries(trustedKeys)) {
    const trusted = parsePublicKey(text);
    if (trusted && rawPublicKey(trusted) === sig.publicKey) return { signer: name, keyFingerprint: fingerprint };
  }
  throw new SpecterError('EXT_SIGNATURE_INVALID', `signed with a key that is not trusted (${sig.publicKey}, fingerprint ${fingerprint}).`, {
    hint: `If you trust its author, add it to "trusted_keys" in config.json: {"<name>": "${sig.publicKey}"}.`,
  });
}
