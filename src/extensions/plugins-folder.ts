import { watch, type FSWatcher } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/index.js';
import { isPackageName, readPackageJson, hasExtensionManifest, type DiscoveredPackage } from './discovery.js';
import { errorMessage } from './module-loader.js';

/**
 * The data folder's `plugins/`: plugins installed at runtime (`specter ext install`, the admin's
 * Plugins page) live there with their own `package.json` and `node_modules`, listed in
 * `plugins.json`. This module only reads that list; the installer writes it. The watcher
 * reconciles the running app when the list changes.
 */
export const PLUGINS_DIR = 'plugins';
export const PLUGINS_FILE = 'plugins.json';

const pluginEntrySchema = z.looseObject({
  id: z.string().min(1),
  package: z.string().min(1),
  version: z.string().min(1),
  /** The package folder, relative to the plugins folder; default `node_modules/<package>`. */
  path: z.string().min(1).optional(),
});
export const pluginsFileSchema = z.looseObject({ plugins: z.array(pluginEntrySchema) });
export type PluginsFile = z.infer<typeof pluginsFileSchema>;
export type PluginEntry = z.infer<typeof pluginEntrySchema>;

export function pluginsFolder(dataFolder: string): string {
  return path.join(dataFolder, PLUGINS_DIR);
}

/** Inside `root` (or `root` itself) after resolving `..` — a listed path may not leave the plugins folder. */
function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The packages `plugins.json` lists, as discovery results (source `plugins`). No file: none. A
 * file that does not parse, or an entry whose folder is missing or outside the plugins folder,
 * becomes a `failed` entry naming the problem (the admin sees it), never a silent skip.
 */
export async function discoverPluginsFolder(folder: string): Promise<DiscoveredPackage[]> {
  const file = path.join(folder, PLUGINS_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return [{ source: 'plugins', path: file, origin: PLUGINS_FILE, error: `${file} could not be read: ${errorMessage(err)}` }];
  }
  let list: PluginsFile;
  try {
    list = pluginsFileSchema.parse(JSON.parse(text));
  } catch (err) {
    const why = err instanceof z.ZodError ? z.prettifyError(err) : errorMessage(err);
    return [
      {
        source: 'plugins',
        path: file,
        origin: PLUGINS_FILE,
        error: `${file} is not a plugins list ({"plugins": [{"id", "package", "version", "path"?}]}): ${why}`,
      },
    ];
  }
  const root = path.resolve(folder);
  const out: DiscoveredPackage[] = [];
  for (const entry of list.plugins) {
    const fail = (p: string, error: string) => out.push({ source: 'plugins', path: p, origin: entry.package, error });
    if (!entry.path && !isPackageName(entry.package)) {
      fail(file, `${PLUGINS_FILE}: "${entry.package}" is not an npm package name; give its folder as "path".`);
      continue;
    }
    const dir = path.resolve(root, entry.path ?? path.join('node_modules', entry.package));
    if (!inside(root, dir)) {
      fail(file, `${PLUGINS_FILE}: the folder of "${entry.id}" (${dir}) lies outside ${root}; plugins live inside the plugins folder.`);
      continue;
    }
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch {
      fail(dir, `${PLUGINS_FILE} lists "${entry.id}" at ${dir}, which does not exist; install it again.`);
      continue;
    }
    const read = await readPackageJson(real);
    if (!read) fail(real, `${real} has no package.json; an extension is an npm package.`);
    else if ('error' in read) fail(real, read.error);
    else if (!hasExtensionManifest(read.json)) fail(real, `${path.join(real, 'package.json')} has no "specterExtension" key.`);
    else out.push({ source: 'plugins', path: real, origin: entry.package, packageJson: read.json });
  }
  return out;
}

export interface PluginsWatcherOptions {
  folder: string;
  /** Called after `plugins.json` changed (debounced); never twice at once. */
  onChange: () => Promise<unknown>;
  logger: Logger;
  /** Quiet time after the last change before reconciling (installers write in several steps). Default 300 ms. */
  debounceMs?: number;
}

/**
 * Watches the plugins folder (created, mode 0700, if missing: the file may not exist yet, and
 * `fs.watch` needs something to watch) for changes of `plugins.json`. Events are debounced; a
 * change during a running reconcile queues exactly one more, so a burst of writes costs at most
 * two runs. The watcher holds no timer while idle and does not keep an idle process alive.
 */
export class PluginsWatcher {
  readonly #options: PluginsWatcherOptions;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: PluginsWatcherOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await fs.mkdir(this.#options.folder, { recursive: true, mode: 0o700 });
    if (this.#closed) return;
    this.#watcher = watch(this.#options.folder, { persistent: false }, (_event, filename) => {
      // Some platforms give no name: then any change may be the list.
      if (filename === null || filename === PLUGINS_FILE) this.#schedule();
    });
    this.#watcher.on('error', (err) => this.#options.logger.warn({ err, folder: this.#options.folder }, 'the plugins folder watcher failed'));
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    // Not unref'd: a change seen is reconciled even if nothing else keeps the process busy.
    this.#timer = setTimeout(() => this.#fire(), this.#options.debounceMs ?? 300);
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#options.onChange();
        } catch (err) {
          this.#options.logger.error({ err }, `reloading plugins after a change of ${PLUGINS_FILE} failed: ${errorMessage(err)}`);
        }
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#running = undefined;
    });
  }

  /** Stops watching and waits for a reconcile in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
    await this.#running;
  }
}
