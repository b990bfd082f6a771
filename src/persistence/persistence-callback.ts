import { execFile } from 'node:child_process';
import type { PersistenceLogger } from './logger.js';

/**
 * Specter's `storage_callback(mode, path)`: after every write or delete in the data folder, first
 * the in-process hook (Specter's `specter_persistence_callback` extension callback), then an
 * external command from the environment, e.g. to sync the data folder to a backup host:
 *
 * - `SPECTER_PERSISTENCE_CALLBACK_ASYNC="cmd arg…"`: started and not waited for;
 * - otherwise `SPECTER_PERSISTENCE_CALLBACK="cmd arg…"`: awaited before the write returns.
 *
 * The value is split on single spaces (as Specter does; no shell, no quoting) and `mode` and
 * `path` are appended. A failing hook or command is logged and never fails the write: the data is
 * already safely on disk at this point.
 */

export type PersistMode = 'write' | 'delete';
export interface PersistEvent {
  path: string;
  mode: PersistMode;
}
export type OnPersist = (event: PersistEvent) => void | Promise<void>;

/**
 * Specter ran the commands one at a time under a process-wide lock (`pclock`), so a slow sync
 * script never runs twice in parallel. Same here: a process-wide queue (documented module state).
 */
let commandQueue: Promise<void> = Promise.resolve();

function runCommand(argv: string[], logger: PersistenceLogger): Promise<void> {
  const [file, ...args] = argv;
  const run = (): Promise<void> =>
    new Promise<void>((resolve) => {
      try {
        execFile(file!, args, { timeout: 10 * 60_000 }, (err, stdout, stderr) => {
          if (err) logger.error({ err, command: argv, stdout, stderr }, 'persistence callback command failed');
          else logger.debug({ command: argv }, 'persistence callback command succeeded');
          resolve();
        });
      } catch (err) {
        // execFile throws synchronously on arguments it cannot pass (e.g. a NUL byte).
        logger.error({ err, command: argv }, 'persistence callback command could not be started');
        resolve();
      }
    });
  const done = commandQueue.then(run);
  commandQueue = done;
  return done;
}

/** The command configured in the environment right now (read at call time so it can be changed). */
function configuredCommand(env: NodeJS.ProcessEnv): { argv: string[]; async: boolean } | undefined {
  const asyncCmd = env.SPECTER_PERSISTENCE_CALLBACK_ASYNC;
  const syncCmd = env.SPECTER_PERSISTENCE_CALLBACK;
  const value = asyncCmd || syncCmd;
  if (!value) return undefined;
  const argv = value.split(' ').filter((part) => part !== '');
  return argv.length === 0 ? undefined : { argv, async: Boolean(asyncCmd) };
}

export async function notifyPersisted(
  event: PersistEvent,
  onPersist: OnPersist | undefined,
  logger: PersistenceLogger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (onPersist) {
    try {
      await onPersist(event);
    } catch (err) {
      logger.error({ err, path: event.path, mode: event.mode }, 'persistence callback (onPersist) failed');
    }
  }
  const cmd = configuredCommand(env);
  if (!cmd) return;
  const done = runCommand([...cmd.argv, event.mode, event.path], logger);
  if (!cmd.async) await done;
}
