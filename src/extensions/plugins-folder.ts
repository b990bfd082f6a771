import { watch, type FSWatcher } from 'node:fs';
import fs from 'node:fs/promises';
import type { Logger } from '../log/index.js';
import { PLUGINS_FILE } from './install/plugins-file.js';
import { errorMessage } from './module-loader.js';

/**
 * The watcher of the data folder's `plugins/`: plugins installed at runtime (`specter ext install`,
 * the admin's Plugins page) are listed in its `plugins.json` (written by install/, read by
 * discovery's `plugins` source); when the list changes, the running app reconciles.
 */

export { PLUGINS_FILE };

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
