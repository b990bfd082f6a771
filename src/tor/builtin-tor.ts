/**
 * The built-in Tor: a `tor` child process of this app, configured by a torrc in `<data>/tor/`.
 *
 * - SOCKS and control ports are `auto` on 127.0.0.1 (Tor picks free ones, no race with other
 *   programs); Tor writes the control port to `<data>/tor/control_port`, the SOCKS port is asked
 *   over the control port.
 * - The control password is random, kept in `<data>/tor/control_password` (0600); the torrc holds
 *   only its hash. Cookie authentication is off.
 * - Tor never outlives the app: after authenticating we TAKEOWNERSHIP (Tor exits when the control
 *   connection closes) and the torrc names our pid as `__OwningControllerProcess` (Tor exits when
 *   the pid is gone, e.g. after kill -9). stop() closes the connection, signals, and waits for exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { TorControlClient } from './control-client.js';
import { TorSecrets, hashControlPassword } from './secrets.js';

export interface BuiltinTorOptions {
  dataFolder: string;
  /** Path to the tor binary (read at each start); empty or undefined: `tor` on PATH. */
  torPath?: () => string;
  logger: Logger;
  /** Make no connection to the Tor network (tests, machines without internet access). */
  offline?: boolean;
  /** How long tor may take to open its control port (ms). */
  startTimeoutMs?: number;
  /** How long stop() waits for the process to exit before SIGKILL (ms). */
  stopTimeoutMs?: number;
}

export interface RunningTor {
  pid: number;
  controlPort: number;
  socksPort: number;
  control: TorControlClient;
}

/** Finds the tor binary: the configured path, else `tor` in a PATH folder. */
export async function findTor(configured?: string): Promise<string> {
  const candidates = configured
    ? [configured]
    : (process.env.PATH ?? '/usr/bin:/bin')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, 'tor'));
  for (const candidate of candidates) {
    try {
      await fs.access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new SpecterError(
    'TOR_NOT_INSTALLED',
    configured ? `The Tor program "${configured}" is missing or not executable.` : 'No `tor` program on PATH.',
    {
      hint: 'Install Tor (Debian: apt-get install tor) or set the path to tor on Settings → Tor.',
    },
  );
}

/** torrc values are quoted so folders with spaces work. */
const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export class BuiltinTor {
  readonly secrets: TorSecrets;
  readonly torrcPath: string;
  #child: ChildProcess | null = null;
  #running: RunningTor | null = null;
  #log: string[] = [];
  #exited: Promise<void> | null = null;

  constructor(private readonly options: BuiltinTorOptions) {
    this.secrets = new TorSecrets(options.dataFolder);
    this.torrcPath = path.join(this.secrets.folder, 'torrc');
  }

  get running(): RunningTor | null {
    return this.#running;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** The last lines Tor printed (notice level), for the status page. */
  get lastLog(): readonly string[] {
    return this.#log;
  }

  async start(): Promise<RunningTor> {
    if (this.#running && !this.#running.control.closed) return this.#running;
    await this.stop();
    const tor = await findTor(this.options.torPath?.() || undefined);
    await this.secrets.ensureFolder();
    const password = await this.secrets.builtinPassword();
    const portFile = path.join(this.secrets.folder, 'control_port');
    const defaults = path.join(this.secrets.folder, 'torrc-defaults');
    await fs.rm(portFile, { force: true });
    await fs.writeFile(defaults, '', { mode: 0o600 });
    const torrc = [
      '# Written by Specter TS for its built-in Tor; rewritten at every start.',
      `DataDirectory ${quote(path.join(this.secrets.folder, 'data'))}`,
      'SocksPort 127.0.0.1:auto',
      'ControlPort 127.0.0.1:auto',
      `ControlPortWriteToFile ${quote(portFile)}`,
      'CookieAuthentication 0',
      `HashedControlPassword ${hashControlPassword(password)}`,
      `__OwningControllerProcess ${process.pid}`,
      'Log notice stdout',
      // Offline: the only "relay" is a bridge on this machine's discard port, so tor connects to
      // nothing outside it, while its SOCKS port and onion services still work (DisableNetwork
      // would close the SOCKS port too).
      ...(this.options.offline ? ['UseBridges 1', 'Bridge 127.0.0.1:9'] : []),
      '',
    ].join('\n');
    await fs.writeFile(this.torrcPath, torrc, { mode: 0o600 });
    this.#log = [];
    const child = spawn(tor, ['-f', this.torrcPath, '--defaults-torrc', defaults], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.#log = [...this.#log.slice(-19), line.trim()];
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      this.#running = null;
      this.options.logger.info({ code, signal }, 'built-in tor exited');
    });
    child.once('error', (err) => keep(Buffer.from(err.message)));
    this.options.logger.info({ pid: child.pid, torrc: this.torrcPath }, 'built-in tor starting');
    try {
      const controlPort = await this.waitForPortFile(portFile, child);
      const control = await TorControlClient.connect({ port: controlPort });
      try {
        await control.authenticate({ password });
        await control.takeOwnership();
        const socks = (await control.getInfo('net/listeners/socks'))['net/listeners/socks'] ?? '';
        const socksPort = Number(/:(\d+)"?\s*$/.exec(socks.split(' ')[0] ?? '')?.[1]);
        if (!socksPort) throw new SpecterError('TOR_START_FAILED', `The built-in tor reports no SOCKS port (${socks || 'none'}).`);
        this.#running = { pid: child.pid!, controlPort, socksPort, control };
        this.options.logger.info({ pid: child.pid, controlPort, socksPort }, 'built-in tor running');
        return this.#running;
      } catch (err) {
        control.close();
        throw err;
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async waitForPortFile(file: string, child: ChildProcess): Promise<number> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null || this.#child !== child) {
        throw new SpecterError('TOR_START_FAILED', `The built-in tor exited at start: ${this.#log.at(-1) ?? 'no output'}`, {
          hint: 'Read tor’s message; fix what it names (a permission in <data>/tor/, a bad tor_path), then start again.',
        });
      }
      try {
        const text = await fs.readFile(file, 'utf8');
        const port = Number(/PORT=[^:\s]+:(\d+)/.exec(text)?.[1]);
        if (port) return port;
      } catch {
        // not written yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new SpecterError('TOR_START_FAILED', `The built-in tor did not open its control port in time: ${this.#log.at(-1) ?? 'no output'}`);
  }

  /** Stops tor and waits until the process is gone (SIGKILL after the time limit). */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#running?.control.close();
    this.#running = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#child = null;
      return;
    }
    child.kill('SIGTERM');
    const exited = this.#exited ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.options.stopTimeoutMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
    this.#child = null;
    this.options.logger.info({ pid: child.pid }, 'built-in tor stopped');
  }
}
