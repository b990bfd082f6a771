import { SpecterError } from '../../errors/index.js';
import type { DiscoveredPackage } from '../discovery.js';
import { describeDiff, diffHashes, hashPackageFiles, isSameFileSet, type FileHashes } from './file-hashes.js';
import { verifyPackageSignature, type SignatureCheck } from './signature.js';

/**
 * The start-time check of a discovered package, before any of its code is imported:
 * - a plugin installed by `specter ext install` must still have exactly the files recorded in
 *   plugins.json (EXT_INTEGRITY, naming what changed);
 * - any non-built-in package with a SPECTER_SIGNATURE.json must verify against `trusted_keys`
 *   (EXT_SIGNATURE_INVALID). Built-ins ship inside the core and are not checked.
 */
export async function checkPackageTrust(pkg: DiscoveredPackage, trustedKeys: Readonly<Record<string, string>>): Promise<SignatureCheck> {
  if (pkg.source === 'builtin' || pkg.source === 'inline') return { signer: null, keyFingerprint: null };
  let files: FileHashes | undefined;
  if (pkg.installRecord) {
    files = await hashPackageFiles(pkg.path);
    const diff = diffHashes(pkg.installRecord.files, files);
    if (!isSameFileSet(diff)) {
      throw new SpecterError('EXT_INTEGRITY', `plugin "${pkg.installRecord.id}" was changed after it was installed: ${describeDiff(diff)}.`, {
        hint: `Reinstall it ("specter ext update ${pkg.installRecord.id}") and find out who changed it.`,
        details: { path: pkg.path, ...diff },
      });
    }
  }
  return verifyPackageSignature(pkg.path, trustedKeys, files);
}
