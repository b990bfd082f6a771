import fs from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { JsonFileStore } from '../../persistence/index.js';
import { discoverBuiltin, hasExtensionManifest, readPackageJson } from '../discovery.js';
import { parsePackageManifest } from '../manifest.js';
import { errorMessage } from '../module-loader.js';
import { hashPackageFiles } from './file-hashes.js';
import { NPM_FLAGS, runNpm } from './npm.js';
import { pluginPackageDir, pluginsFolder, readPluginsFile, writePluginsFile, type PluginRecord } from './plugins-file.js';
import { checkSpec, isLocalSpec, registryName } from './specs.js';
import { verifyPackageSignature } from './signature.js';

/**
 * Installs, updates and removes plugins in `<data>/plugins/`: a private npm project of its own
 * (package.json, package-lock.json, node_modules/) that only this class writes. npm does the
 * fetching and unpacking; this class decides what is accepted: the package must be an extension
 * (`specterExtension` with an id), must not take an id someone else has, and a signed one must
 * verify against `trusted_keys`. A refused or failed install puts package.json and the lockfile
 * back and lets npm remove what it added, so nothing is left half-installed. plugins.json is
 * written last, once everything else is done (the live reload watches it).
 *
 * Local tarballs are copied, and local folders packed, into `<data>/plugins/tarballs/`, so the
 * plugins folder never points outside itself and reinstalls work offline.
 */
export interface PluginInstallerOptions {
  dataFolder: string;
  /** Writes plugins.json (atomic, with .bkp); default: a store of its own. */
  store?: JsonFileStore;
  logger?: Logger;
  /** config.json `trusted_keys`, to check signed plugins at install. */
  trustedKeys?: Readonly<Record<string, string>>;
  /** The built-ins folder: their ids cannot be taken by a plugin. */
  builtinDir?: string;
  /** Base for relative tarball and folder paths (default process.cwd()). */
  cwd?: string;
  npmCommand?: string;
  npmTimeoutMs?: number;
  /** Environment of the npm child (default process.env): registry, proxy, cache settings go here. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Removes a plugin's stored data (uninstall --remove-data); returns what it removed. */
  purgeData?: (id: string) => Promise<string[]>;
}

export type InstallAction = 'installed' | 'updated' | 'unchanged';

export interface InstallResult {
  action: InstallAction;
  record: PluginRecord;
  previous: PluginRecord | null;
}

export interface UninstallResult {
  record: PluginRecord;
  /** Data files and folders removed (with removeData). */
  removed: string[];
}

const PLUGINS_PACKAGE_JSON = {
  name: 'specter-ts-plugins',
  version: '0.0.0',
  private: true,
  description: 'Plugins installed with "specter ext install". Managed by Specter TS: do not edit by hand.',
  dependencies: {},
};

/** Whether the process whose pid is in the lock file still runs (an unreadable lock counts as held). */
async function lockHolderAlive(lock: string): Promise<boolean> {
  const pid = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Which dependency a `file:tarballs/…` install added: a new or changed entry with that spec first
 * (the same file name may now hold another package), else the one that already had it.
 */
function installedName(deps: Record<string, string>, snapshot: Snapshot, npmSpec: string): string | undefined {
  let before: Record<string, string> = {};
  try {
    before = (JSON.parse(snapshot['package.json'] ?? '{}') as { dependencies?: Record<string, string> }).dependencies ?? {};
  } catch {
    // no previous package.json: every entry is new
  }
  const withSpec = Object.keys(deps).filter((k) => deps[k] === npmSpec);
  return withSpec.find((k) => before[k] !== npmSpec) ?? withSpec[0];
}

/** A tarball copied into tarballs/: its bytes before (a same-named file that was replaced), for a rollback. */
interface TarballChange {
  file: string;
  previous: Buffer | undefined;
}

type Snapshot = Record<'package.json' | 'package-lock.json', string | undefined>;

export class PluginInstaller {
  readonly pluginsDir: string;
  readonly #o: PluginInstallerOptions;
  readonly #store: JsonFileStore;

  constructor(options: PluginInstallerOptions) {
    this.#o = options;
    this.pluginsDir = pluginsFolder(path.resolve(options.dataFolder));
    this.#store = options.store ?? new JsonFileStore(options.logger ? { logger: options.logger } : {});
  }

  async list(): Promise<PluginRecord[]> {
    return (await readPluginsFile(this.pluginsDir)).plugins;
  }

  /** `specter ext install <package|tarball|folder>`. Installing an installed package again updates it. */
  async install(spec: string): Promise<InstallResult> {
    checkSpec(spec.trim());
    return this.#locked(() => this.#install(spec.trim()));
  }

  /** Re-installs one plugin (or all) from its recorded spec: a newer registry version, or the tarball/folder again. */
  async update(id?: string): Promise<InstallResult[]> {
    return this.#locked(async () => {
      const records = await this.list();
      const chosen = id === undefined ? records : records.filter((r) => r.id === id);
      if (id !== undefined && chosen.length === 0) throw this.#notInstalled(id, records);
      const results: InstallResult[] = [];
      for (const r of chosen) results.push(await this.#install(r.spec));
      return results;
    });
  }

  /** `specter ext uninstall <id> [--remove-data]`. */
  async uninstall(id: string, options: { removeData?: boolean } = {}): Promise<UninstallResult> {
    return this.#locked(async () => {
      const records = await this.list();
      const record = records.find((r) => r.id === id);
      if (!record) throw this.#notInstalled(id, records);
      const deps = await this.#dependencies();
      await this.#npm(['uninstall', record.packageName, ...NPM_FLAGS]);
      const tarball = deps[record.packageName]?.match(/^file:(tarballs\/[^/\\]+)$/)?.[1];
      if (tarball) await fs.rm(path.join(this.pluginsDir, tarball), { force: true });
      await writePluginsFile(this.#store, this.pluginsDir, { version: 1, plugins: records.filter((r) => r !== record) });
      const removed: string[] = [];
      if (options.removeData) {
        const folder = path.join(path.resolve(this.#o.dataFolder), 'extensions', record.id);
        await fs.rm(folder, { recursive: true, force: true });
        removed.push(folder);
        if (this.#o.purgeData) removed.push(...(await this.#o.purgeData(record.id)));
      }
      this.#o.logger?.info({ ext: id, removed }, `plugin "${id}" uninstalled`);
      return { record, removed };
    });
  }

  #notInstalled(id: string, records: readonly PluginRecord[]): SpecterError {
    const ids = records.map((r) => r.id).join(', ') || 'none';
    return new SpecterError('EXT_NOT_FOUND', `No installed plugin "${id}" (installed: ${ids}).`, {
      hint: 'Built-in extensions and EXTENSION_LIST entries are not installed plugins; switch them off with EXTENSIONS_DISABLED.',
    });
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await fs.mkdir(this.pluginsDir, { recursive: true, mode: 0o700 });
    const lock = path.join(this.pluginsDir, '.lock');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a process that died (kill -9, power cut) is taken over; a live one is not.
      if (!(await lockHolderAlive(lock))) {
        await fs.rm(lock, { force: true });
        return this.#locked(fn);
      }
      throw new SpecterError('EXT_INSTALL_BUSY', `Another install, update or uninstall is running in ${this.pluginsDir}.`, {
        hint: `Wait for it to finish; if none runs, delete ${lock}.`,
      });
    }
    try {
      await handle.writeFile(String(process.pid));
      await handle.close();
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  #npm(args: string[]) {
    return runNpm(args, {
      cwd: this.pluginsDir,
      ...(this.#o.npmTimeoutMs !== undefined && { timeoutMs: this.#o.npmTimeoutMs }),
      ...(this.#o.npmCommand !== undefined && { command: this.#o.npmCommand }),
      ...(this.#o.env !== undefined && { env: this.#o.env }),
    });
  }

  async #dependencies(): Promise<Record<string, string>> {
    const read = await readPackageJson(this.pluginsDir);
    const deps = read && 'json' in read ? read.json.dependencies : undefined;
    return deps && typeof deps === 'object' ? (deps as Record<string, string>) : {};
  }

  async #snapshot(): Promise<Snapshot> {
    const read = async (name: string) => fs.readFile(path.join(this.pluginsDir, name), 'utf8').catch(() => undefined);
    return { 'package.json': await read('package.json'), 'package-lock.json': await read('package-lock.json') };
  }

  /** Puts package.json and the lockfile back and lets npm make node_modules match them again. */
  async #rollback(snapshot: Snapshot, tarball: TarballChange | undefined): Promise<void> {
    for (const [name, text] of Object.entries(snapshot)) {
      const file = path.join(this.pluginsDir, name);
      if (text === undefined) await fs.rm(file, { force: true });
      else await fs.writeFile(file, text);
    }
    if (tarball?.previous) await fs.writeFile(tarball.file, tarball.previous);
    else if (tarball) await fs.rm(tarball.file, { force: true });
    try {
      await this.#npm(['install', ...NPM_FLAGS]);
    } catch (err) {
      this.#o.logger?.error({ err }, `could not restore ${this.pluginsDir} after a refused install: ${errorMessage(err)}`);
    }
  }

  /**
   * A local spec → `file:tarballs/<name>.tgz` inside the plugins folder (packing a folder first).
   * Packed or copied into `.incoming/` first, so a same-named tarball in use is replaced only
   * once its old bytes are kept for a rollback.
   */
  async #localTarball(
    spec: string,
    records: readonly PluginRecord[],
  ): Promise<{ npmSpec: string; file: string; absolute: string; change: TarballChange | undefined }> {
    const absolute = path.resolve(this.#o.cwd ?? process.cwd(), spec.replace(/^file:/, ''));
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (!stat) {
      // Updating (or repairing) a plugin whose original file or folder is gone: its copy here will do.
      const known = records.find((r) => r.spec === absolute);
      const copy = known && (await this.#dependencies())[known.packageName]?.match(/^file:(tarballs\/[^/\\]+)$/)?.[1];
      if (copy && (await fs.stat(path.join(this.pluginsDir, copy)).catch(() => undefined))) {
        return { npmSpec: `file:${copy}`, file: path.join(this.pluginsDir, copy), absolute, change: undefined };
      }
      throw new SpecterError('EXT_PACKAGE_NOT_FOUND', `${absolute} does not exist.`, {
        hint: 'Give the path of a plugin tarball (.tgz, from "npm pack") or of its package folder.',
      });
    }
    const incoming = path.join(this.pluginsDir, '.incoming');
    await fs.rm(incoming, { recursive: true, force: true });
    await fs.mkdir(incoming, { recursive: true });
    let name: string;
    if (stat.isDirectory()) {
      // Packed as its author would publish it ("files", .npmignore), without running its scripts: build it first.
      const { stdout } = await this.#npm(['pack', absolute, '--pack-destination', incoming, '--json', ...NPM_FLAGS]);
      const packed = JSON.parse(stdout) as { filename: string }[];
      name = path.basename(packed[0]!.filename);
    } else {
      name = path.basename(absolute);
      await fs.copyFile(absolute, path.join(incoming, name));
    }
    const tarballs = path.join(this.pluginsDir, 'tarballs');
    await fs.mkdir(tarballs, { recursive: true });
    const file = path.join(tarballs, name);
    const previous = await fs.readFile(file).catch(() => undefined);
    await fs.rename(path.join(incoming, name), file);
    await fs.rm(incoming, { recursive: true, force: true });
    return { npmSpec: `file:tarballs/${name}`, file, absolute, change: { file, previous } };
  }

  async #builtinIds(): Promise<Set<string>> {
    if (!this.#o.builtinDir) return new Set();
    const ids = new Set<string>();
    for (const pkg of await discoverBuiltin(this.#o.builtinDir)) {
      const id = (pkg.packageJson?.specterExtension as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') ids.add(id);
    }
    return ids;
  }

  async #install(spec: string): Promise<InstallResult> {
    await fs.mkdir(this.pluginsDir, { recursive: true, mode: 0o700 });
    if (!(await readPackageJson(this.pluginsDir))) {
      await fs.writeFile(path.join(this.pluginsDir, 'package.json'), `${JSON.stringify(PLUGINS_PACKAGE_JSON, null, 2)}\n`);
    }
    const records = await this.list();
    const snapshot = await this.#snapshot();
    const tarball = isLocalSpec(spec) ? await this.#localTarball(spec, records) : undefined;
    const recordedSpec = tarball ? tarball.absolute : spec;
    // Reinstalling over a modified copy must not bless it: npm keeps a folder it thinks is
    // installed, so the old one goes first and npm unpacks the package afresh.
    // It is moved aside, not deleted, so a failed install can put it back even without a registry.
    const before = records.find((r) => r.spec === recordedSpec || (!tarball && r.packageName === registryName(spec)));
    const aside = before && (await this.#moveAside(before.packageName));
    const fail = async (err: unknown): Promise<never> => {
      await this.#rollback(snapshot, tarball?.change);
      if (aside) await aside.restore();
      throw err;
    };
    try {
      await this.#npm(['install', tarball ? tarball.npmSpec : spec, '--save', ...NPM_FLAGS]);
    } catch (err) {
      return fail(err);
    }
    try {
      const deps = await this.#dependencies();
      const packageName = tarball ? installedName(deps, snapshot, tarball.npmSpec) : registryName(spec);
      if (!packageName || !deps[packageName]) {
        throw new SpecterError('EXT_INSTALL_FAILED', `npm installed ${spec}, but it is not in ${path.join(this.pluginsDir, 'package.json')}.`);
      }
      const record = await this.#accept(packageName, recordedSpec, records);
      const previous = records.find((r) => r.packageName === packageName) ?? null;
      const unchanged = previous && previous.version === record.version && JSON.stringify(previous.files) === JSON.stringify(record.files);
      const kept = unchanged ? previous : record;
      const others = records.filter((r) => r.packageName !== packageName);
      await writePluginsFile(this.#store, this.pluginsDir, { version: 1, plugins: [...others, kept] });
      await aside?.drop();
      await this.#pruneTarballs();
      const action: InstallAction = unchanged ? 'unchanged' : previous ? 'updated' : 'installed';
      this.#o.logger?.info({ ext: kept.id, version: kept.version, action }, `plugin "${kept.id}" ${action}`);
      return { action, record: kept, previous };
    } catch (err) {
      return fail(err);
    }
  }

  /** Moves an installed package's folder out of node_modules; `restore` puts it back unless npm already did. */
  async #moveAside(packageName: string): Promise<{ restore(): Promise<void>; drop(): Promise<void> } | undefined> {
    const dir = pluginPackageDir(this.pluginsDir, packageName);
    const aside = path.join(this.pluginsDir, `.previous-${packageName.replace('/', '+')}`);
    await fs.rm(aside, { recursive: true, force: true });
    try {
      await fs.rename(dir, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return {
      restore: async () => {
        if (await fs.stat(dir).catch(() => undefined)) await fs.rm(aside, { recursive: true, force: true });
        else await fs.rename(aside, dir);
      },
      drop: () => fs.rm(aside, { recursive: true, force: true }),
    };
  }

  /** Removes copies in tarballs/ that package.json no longer uses (an older version replaced by a newer one). */
  async #pruneTarballs(): Promise<void> {
    const used = new Set(Object.values(await this.#dependencies()));
    const dir = path.join(this.pluginsDir, 'tarballs');
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!used.has(`file:tarballs/${name}`)) await fs.rm(path.join(dir, name), { force: true });
    }
  }

  /** The checks on what npm put into node_modules, and the record for it. Throws to refuse. */
  async #accept(packageName: string, spec: string, records: readonly PluginRecord[]): Promise<PluginRecord> {
    const dir = pluginPackageDir(this.pluginsDir, packageName);
    const read = await readPackageJson(dir);
    if (!read || 'error' in read) {
      throw new SpecterError('EXT_INSTALL_FAILED', `${packageName} has no readable package.json in ${dir}.`);
    }
    const json = read.json;
    if (!hasExtensionManifest(json)) {
      throw new SpecterError('EXT_NOT_AN_EXTENSION', `${packageName} is not a Specter TS extension: its package.json has no "specterExtension".`, {
        hint: 'Install the extension package itself (made with "specter ext gen"). Nothing was installed.',
      });
    }
    const version = typeof json.version === 'string' ? json.version : '0.0.0';
    const fields = parsePackageManifest(json.specterExtension === true ? {} : json.specterExtension, {
      packageJsonPath: path.join(dir, 'package.json'),
      packageName,
      packageVersion: version,
    });
    if (!fields.id) {
      throw new SpecterError('EXT_MANIFEST_INVALID', `${packageName} declares no "id" in its package.json "specterExtension".`, {
        hint: 'An installed plugin must name its id in package.json, so it can be checked before any of its code runs.',
      });
    }
    const id = fields.id;
    if ((await this.#builtinIds()).has(id)) {
      throw new SpecterError('EXT_ALREADY_INSTALLED', `"${id}" is the id of a built-in extension; ${packageName} cannot use it.`, {
        hint: 'The plugin must use another id.',
      });
    }
    const clash = records.find((r) => r.id === id && r.packageName !== packageName);
    if (clash) {
      throw new SpecterError('EXT_ALREADY_INSTALLED', `The installed plugin ${clash.packageName} already has the id "${id}".`, {
        hint: `Uninstall it first ("specter ext uninstall ${id}").`,
      });
    }
    const files = await hashPackageFiles(dir);
    const signature = await verifyPackageSignature(dir, this.#o.trustedKeys ?? {}, files);
    const lock = JSON.parse(await fs.readFile(path.join(this.pluginsDir, 'package-lock.json'), 'utf8').catch(() => '{}')) as {
      packages?: Record<string, { integrity?: string }>;
    };
    return {
      id,
      packageName,
      version,
      spec,
      integrity: lock.packages?.[`node_modules/${packageName}`]?.integrity ?? null,
      files,
      installedAt: (this.#o.now?.() ?? new Date()).toISOString(),
      signer: signature.signer,
      signerKey: signature.keyFingerprint,
    };
  }
}
