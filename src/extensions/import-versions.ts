import { createHash } from 'node:crypto';
import type { DiscoveredPackage } from './discovery.js';

/**
 * Which module URL each extension package is imported under. Node caches ES modules by URL for
 * the life of the process, so a package changed in place (an update) is only read again under a
 * new URL: `?v=<version>-<hash of package.json>`. The first import of a path uses the plain URL;
 * the same contents later (disable, then enable) reuse the URL they had, so toggling a plugin
 * costs no module memory. Each update does: the old module stays in memory (ESM cannot unload).
 */
export class ImportVersions {
  readonly #byPath = new Map<string, { fingerprint: string; fresh: string | undefined }>();

  /** Identity of a package's contents as discovery saw them: a change means "reload it". */
  static fingerprint(pkg: DiscoveredPackage): string {
    return createHash('sha256')
      .update(JSON.stringify(pkg.packageJson ?? pkg.error ?? null))
      .digest('hex');
  }

  /** True when the package is the one imported last time from its path. */
  unchanged(pkg: DiscoveredPackage): boolean {
    return this.#byPath.get(pkg.path)?.fingerprint === ImportVersions.fingerprint(pkg);
  }

  /** The URL query to import the package with now (undefined: the plain URL), remembered. */
  next(pkg: DiscoveredPackage): string | undefined {
    const fp = ImportVersions.fingerprint(pkg);
    const known = this.#byPath.get(pkg.path);
    const version = typeof pkg.packageJson?.version === 'string' ? pkg.packageJson.version : '0';
    const fresh = !known ? undefined : known.fingerprint === fp ? known.fresh : `${version}-${fp.slice(0, 12)}`;
    this.#byPath.set(pkg.path, { fingerprint: fp, fresh });
    return fresh;
  }
}
