import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../log/index.js';

/**
 * Where extensions come from. Each source yields package folders (npm-package-shaped: a
 * package.json with a `specterExtension` key). Order is deterministic: source order
 * (builtin, list, npm, cwd, then the data folder's `plugins/`, then inline ones passed by code), then package name; the same folder
 * found twice is kept once, from the first source.
 */
export type SourceTag = 'builtin' | 'list' | 'npm' | 'cwd' | 'plugins' | 'inline';

export const SOURCE_ORDER: readonly SourceTag[] = ['builtin', 'list', 'npm', 'cwd'];

export interface DiscoveredPackage {
  source: SourceTag;
  /** Absolute, symlinks resolved: the identity used for de-duplication. */
  path: string;
  /** How it was found: folder name, EXTENSION_LIST entry, package name. */
  origin: string;
  /** Parsed package.json (absent when `error` says why it could not be read). */
  packageJson?: Record<string, unknown>;
  /** Found but unusable; becomes a `failed` status naming the problem. */
  error?: string;
}

export interface DiscoveryOptions {
  /** The built-in extensions folder (every subfolder with a specterExtension package.json). */
  builtinDir?: string;
  /** Config EXTENSION_LIST: package folders (absolute or relative to `cwd`) or npm package names. */
  extensionList?: readonly string[];
  /** node_modules folder to scan for extension packages, and to resolve list names first. */
  nodeModulesDir?: string;
  /** Base for relative list entries and the `cwd` source. Default: process.cwd(). */
  cwd?: string;
  /** Config SERVICES_LOAD_FROM_CWD: only then is the current directory a source (false in production). */
  loadFromCwd: boolean;
  /** Restrict the sources (default: all). */
  sources?: readonly SourceTag[];
  logger?: Logger;
}

type PackageJsonRead = { json: Record<string, unknown> } | { error: string } | undefined;

/** Reads `<dir>/package.json`: undefined if absent, `{error}` if it does not parse. */
export async function readPackageJson(dir: string): Promise<PackageJsonRead> {
  const file = path.join(dir, 'package.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    return { error: `${file} could not be read: ${(err as Error).message}` };
  }
  try {
    const json: unknown = JSON.parse(text);
    if (!json || typeof json !== 'object' || Array.isArray(json)) return { error: `${file} is not a JSON object.` };
    return { json: json as Record<string, unknown> };
  } catch (err) {
    return { error: `${file} does not parse: ${(err as Error).message}` };
  }
}

export function hasExtensionManifest(pkg: Record<string, unknown> | undefined): boolean {
  return !!pkg && Object.hasOwn(pkg, 'specterExtension');
}

async function realDir(p: string): Promise<string | undefined> {
  try {
    const real = await fs.realpath(p);
    return (await fs.stat(real)).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir);
    return entries.filter((e) => !e.startsWith('.')).sort();
  } catch {
    return [];
  }
}

function sortKey(p: DiscoveredPackage): string {
  const name = p.packageJson?.name;
  return typeof name === 'string' ? name : path.basename(p.path);
}

const byName = (a: DiscoveredPackage, b: DiscoveredPackage) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0);

/** Every subfolder of `dir` whose package.json has `specterExtension` (or does not parse: reported). */
export async function discoverBuiltin(dir: string): Promise<DiscoveredPackage[]> {
  const out: DiscoveredPackage[] = [];
  for (const name of await subdirs(dir)) {
    const real = await realDir(path.join(dir, name));
    if (!real) continue;
    const read = await readPackageJson(real);
    if (!read) continue;
    if ('error' in read) out.push({ source: 'builtin', path: real, origin: name, error: read.error });
    else if (hasExtensionManifest(read.json)) out.push({ source: 'builtin', path: real, origin: name, packageJson: read.json });
  }
  return out.sort(byName);
}

/** An npm name (`foo`, `@org/foo`) rather than a path (`./foo`, `/x/foo`, `a/b`). */
export function isPackageName(entry: string): boolean {
  if (entry.startsWith('.') || path.isAbsolute(entry) || entry.includes('\\')) return false;
  return /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(entry);
}

/** The folder of an installed package: `nodeModulesDir` first, then Node's lookup paths from `cwd`. */
export async function resolvePackageDir(name: string, options: { cwd: string; nodeModulesDir?: string }): Promise<string | undefined> {
  const lookup = createRequire(path.join(options.cwd, 'noop.js')).resolve.paths(name) ?? [];
  const dirs = options.nodeModulesDir ? [options.nodeModulesDir, ...lookup] : lookup;
  for (const dir of dirs) {
    const real = await realDir(path.join(dir, name));
    if (real && (await readPackageJson(real))) return real;
  }
  return undefined;
}

/** EXTENSION_LIST entries. An entry that cannot be used is reported, never silently skipped. */
export async function discoverList(entries: readonly string[], options: { cwd: string; nodeModulesDir?: string }): Promise<DiscoveredPackage[]> {
  const out: DiscoveredPackage[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const dir = isPackageName(entry) ? await resolvePackageDir(entry, options) : await realDir(path.resolve(options.cwd, entry));
    const fallback = path.resolve(options.cwd, entry);
    if (!dir) {
      const error = isPackageName(entry)
        ? `EXTENSION_LIST entry "${entry}" is not an installed npm package; run "npm install ${entry}" next to Specter TS, or give the package folder's path.`
        : `EXTENSION_LIST entry "${entry}" is not a folder (${fallback}); give the path of the extension's package folder.`;
      out.push({ source: 'list', path: fallback, origin: entry, error });
      continue;
    }
    const read = await readPackageJson(dir);
    if (!read)
      out.push({
        source: 'list',
        path: dir,
        origin: entry,
        error: `EXTENSION_LIST entry "${entry}": ${dir} has no package.json; an extension is an npm package.`,
      });
    else if ('error' in read) out.push({ source: 'list', path: dir, origin: entry, error: read.error });
    else if (!hasExtensionManifest(read.json)) {
      out.push({
        source: 'list',
        path: dir,
        origin: entry,
        packageJson: read.json,
        error: `EXTENSION_LIST entry "${entry}": ${path.join(dir, 'package.json')} has no "specterExtension" key; add "specterExtension": {} (or the manifest) to it.`,
      });
    } else out.push({ source: 'list', path: dir, origin: entry, packageJson: read.json });
  }
  return out.sort(byName);
}

/** Packages in a node_modules folder (scoped `@org/*` included) that carry `specterExtension`. */
export async function discoverNpm(nodeModulesDir: string): Promise<DiscoveredPackage[]> {
  const out: DiscoveredPackage[] = [];
  const names: string[] = [];
  for (const entry of await subdirs(nodeModulesDir)) {
    if (entry.startsWith('@')) for (const sub of await subdirs(path.join(nodeModulesDir, entry))) names.push(`${entry}/${sub}`);
    else names.push(entry);
  }
  for (const name of names) {
    const real = await realDir(path.join(nodeModulesDir, name));
    if (!real) continue;
    const read = await readPackageJson(real);
    // Someone else's broken package.json is not our business: only extension packages count.
    if (read && 'json' in read && hasExtensionManifest(read.json)) out.push({ source: 'npm', path: real, origin: name, packageJson: read.json });
  }
  return out.sort(byName);
}

/** The current directory, if it is an extension package (development only). */
export async function discoverCwd(cwd: string): Promise<DiscoveredPackage[]> {
  const real = await realDir(cwd);
  if (!real) return [];
  const read = await readPackageJson(real);
  if (!read) return [];
  if ('error' in read) return [{ source: 'cwd', path: real, origin: '.', error: read.error }];
  return hasExtensionManifest(read.json) ? [{ source: 'cwd', path: real, origin: '.', packageJson: read.json }] : [];
}

/** All sources, in order, de-duplicated by real path (first source wins). */
export async function discoverExtensions(options: DiscoveryOptions): Promise<DiscoveredPackage[]> {
  const cwd = options.cwd ?? process.cwd();
  const sources = options.sources ?? SOURCE_ORDER;
  const found: DiscoveredPackage[] = [];
  for (const source of SOURCE_ORDER) {
    if (!sources.includes(source)) continue;
    if (source === 'builtin' && options.builtinDir) found.push(...(await discoverBuiltin(options.builtinDir)));
    if (source === 'list' && options.extensionList?.length) {
      found.push(...(await discoverList(options.extensionList, options.nodeModulesDir ? { cwd, nodeModulesDir: options.nodeModulesDir } : { cwd })));
    }
    if (source === 'npm' && options.nodeModulesDir) found.push(...(await discoverNpm(options.nodeModulesDir)));
    if (source === 'cwd') {
      const here = await discoverCwd(cwd);
      if (options.loadFromCwd) found.push(...here);
      else if (here.length) {
        // Security: in production the working directory is not trusted code.
        options.logger?.info(
          { path: here[0]!.path },
          'the current directory is an extension package, but SERVICES_LOAD_FROM_CWD is false: not loading it',
        );
      }
    }
  }
  const seen = new Set<string>();
  return found.filter((p) => {
    if (seen.has(p.path)) return false;
    seen.add(p.path);
    return true;
  });
}
