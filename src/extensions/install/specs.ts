import { SpecterError } from '../../errors/index.js';
import { NPM_NAME_PATTERN } from './plugins-file.js';

// What `specter ext install` accepts, and how it tells the kinds apart.

/** A local tarball or folder, rather than a registry spec. */
export function isLocalSpec(spec: string): boolean {
  return /^(\.{1,2}([/\\]|$)|[/\\~]|[a-zA-Z]:[/\\])/.test(spec) || /\.(tgz|tar\.gz|tar)$/i.test(spec) || spec.startsWith('file:');
}

/**
 * What `install` accepts: a local tarball or folder, or a registry package name with an optional
 * version, range or tag. Anything else (a flag, a git or URL spec) is refused before npm sees it.
 */
export function checkSpec(spec: string): void {
  if (spec.startsWith('-') || spec === '') {
    throw new SpecterError('VALIDATION', `"${spec}" is not a plugin to install.`, {
      hint: 'Give a package name (e.g. specterext-x or @org/specterext-x@^1.0.0), a .tgz file or a package folder.',
      details: { field: 'spec' },
    });
  }
  if (isLocalSpec(spec)) return;
  const name = registryName(spec);
  const version = spec.slice(name.length + 1);
  if (!NPM_NAME_PATTERN.test(name) || /[\s:]/.test(version) || (spec.length > name.length && !version)) {
    throw new SpecterError('VALIDATION', `"${spec}" is not a package name, tarball or folder.`, {
      hint: 'Give a registry package name with an optional version (name@1.2.3, name@^1, @org/name@latest), a .tgz file or a package folder; git and URL specs are not supported.',
      details: { field: 'spec' },
    });
  }
}

/** The package name of a registry spec: `foo`, `foo@^1`, `@org/foo@latest` → `foo`, `@org/foo`. */
export function registryName(spec: string): string {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at === -1 ? spec : spec.slice(0, at);
}
