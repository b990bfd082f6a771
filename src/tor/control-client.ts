/**
 * A small client for Tor's control protocol (control-spec.txt): the commands Specter TS needs —
 * PROTOCOLINFO, AUTHENTICATE (password or cookie), TAKEOWNERSHIP, GETINFO, ADD_ONION, DEL_ONION.
 *
 * Why hand-written: the npm packages for this (`tor-control`, `granax`) are unmaintained for years;
 * the protocol part we use is a line protocol of a few dozen lines. Commands run one at a time
 * (Tor answers in order), each with a time limit; the socket has a connect time limit too.
 *
 * Secrets: the password and cookie are sent hex-encoded and never kept on the object or put in an
 * error message.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import { SpecterError } from '../errors/index.js';

export interface TorReply {
  /** The final status code (250 = OK). */
  code: number;
  /** Every reply line's text without the code and separator; a data block (`250+…`) is joined with \n. */
  lines: string[];
}

export interface ControlConnectOptions {
  host?: string;
  port: number;
  timeoutMs?: number;
}

export type TorAuth = { password: string } | { cookieFile: string } | { none: true };

export interface ProtocolInfo {
  methods: string[];
  cookieFile: string | null;
  version: string | null;
}

export interface OnionService {
  serviceId: string;
  /** `ED25519-V3:<base64>` when Tor generated a new key; null when an existing key was given. */
  privateKey: string | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** `key=value` pairs of a reply line (values may be quoted). */
export function parseKeyValues(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_/-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of line.matchAll(re)) {
    const raw = m[2]!;
    out[m[1]!] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return out;
}

export class TorControlClient {
  readonly host: string;
  readonly port: number;
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  #buffer = '';
  #pending: { lines: string[]; data: string[] | null; resolve: (r: TorReply) => void; reject: (e: Error) => void } | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closeListeners = new Set<() => void>();

  private constructor(socket: net.Socket, host: string, port: number, timeoutMs: number) {
    this.#socket = socket;
    this.host = host;
    this.port = port;
    this.#timeoutMs = timeoutMs;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      this.#pending?.reject(this.unreachable('Tor closed the control connection.'));
      this.#pending = null;
      for (const listener of this.#closeListeners) listener();
    });
  }

  /** Opens the control connection (not yet authenticated). */
  static connect(options: ControlConnectOptions): Promise<TorControlClient> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(controlUnreachable(host, options.port, `no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TorControlClient(socket, host, options.port, timeoutMs));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(controlUnreachable(host, options.port, err.code ?? err.message));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called once when the connection ends (Tor stopped, or close()). */
  onClose(listener: () => void): void {
    this.#closeListeners.add(listener);
  }

  /** Sends one command line and resolves to Tor's reply; a code other than 2xx rejects with TOR_CONTROL_ERROR. */
  command(line: string, options: { shown?: string } = {}): Promise<TorReply> {
    const run = () =>
      new Promise<TorReply>((resolve, reject) => {
        if (this.#closed) {
          reject(this.unreachable('the control connection is closed.'));
          return;
        }
        const timer = setTimeout(() => {
          this.#pending = null;
          reject(this.unreachable(`no answer to ${options.shown ?? line.split(' ')[0]} within ${this.#timeoutMs} ms.`));
          this.#socket.destroy();
        }, this.#timeoutMs);
        this.#pending = {
          lines: [],
          data: null,
          resolve: (reply) => {
            clearTimeout(timer);
            resolve(reply);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        };
        this.#socket.write(`${line}\r\n`);
      });
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result.then((reply) => {
      if (reply.code >= 200 && reply.code < 300) return reply;
      const what = options.shown ?? line.split(' ')[0];
      if (what === 'AUTHENTICATE') {
        throw new SpecterError(
          'TOR_CONTROL_AUTH_FAILED',
          `Tor's control port at ${this.host}:${this.port} refused the credentials (${reply.code} ${reply.lines.at(-1)}).`,
          {
            hint: 'Give the control password whose hash is HashedControlPassword in the torrc, or the control cookie file.',
          },
        );
      }
      throw new SpecterError('TOR_CONTROL_ERROR', `Tor refused ${what}: ${reply.code} ${reply.lines.join(' ')}`, { details: { code: reply.code } });
    });
  }

  async protocolInfo(): Promise<ProtocolInfo> {
    const reply = await this.command('PROTOCOLINFO 1');
    const auth = reply.lines.find((l) => l.startsWith('AUTH '));
    const version = reply.lines.find((l) => l.startsWith('VERSION '));
    const kv = auth ? parseKeyValues(auth) : {};
    return {
      methods: kv.METHODS ? kv.METHODS.split(',') : [],
      cookieFile: kv.COOKIEFILE ?? null,
      version: version ? (parseKeyValues(version).Tor ?? null) : null,
    };
  }

  async authenticate(auth: TorAuth): Promise<void> {
    let secret = '';
    if ('password' in auth) secret = Buffer.from(auth.password, 'utf8').toString('hex');
    else if ('cookieFile' in auth) {
      try {
        secret = (await fs.readFile(auth.cookieFile)).toString('hex');
      } catch (err) {
        throw new SpecterError(
          'TOR_CONTROL_AUTH_FAILED',
          `The Tor control cookie ${auth.cookieFile} cannot be read (${(err as NodeJS.ErrnoException).code}).`,
          {
            hint: 'Give a cookie file this app may read (CookieAuthFile in the torrc), or use a control password.',
          },
        );
      }
    }
    await this.command(secret ? `AUTHENTICATE ${secret}` : 'AUTHENTICATE', { shown: 'AUTHENTICATE' });
  }

  /** Tor exits when this connection closes (used for the built-in Tor). */
  async takeOwnership(): Promise<void> {
    await this.command('TAKEOWNERSHIP');
  }

  /** GETINFO for some keys; values of data blocks (`key=` + lines) come back joined. */
  async getInfo(...keys: string[]): Promise<Record<string, string>> {
    const reply = await this.command(`GETINFO ${keys.join(' ')}`);
    const out: Record<string, string> = {};
    for (const line of reply.lines) {
      const eq = line.indexOf('=');
      if (eq > 0 && keys.includes(line.slice(0, eq))) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/^\n/, '');
    }
    return out;
  }

  /**
   * Publishes an onion service mapping `virtualPort` to `target` (host:port). `key` is a stored
   * `ED25519-V3:<base64>` key (the same address again) or undefined for a new one. Not detached:
   * the service ends with this control connection, so a crashed app leaves no service behind.
   */
  async addOnion(virtualPort: number, target: string, key?: string): Promise<OnionService> {
    const keyArg = key ?? 'NEW:ED25519-V3';
    const reply = await this.command(`ADD_ONION ${keyArg} Port=${virtualPort},${target}`, { shown: 'ADD_ONION' });
    const values = Object.assign({}, ...reply.lines.map(parseKeyValues)) as Record<string, string>;
    if (!values.ServiceID) throw new SpecterError('TOR_CONTROL_ERROR', 'Tor answered ADD_ONION without a ServiceID.');
    return { serviceId: values.ServiceID, privateKey: values.PrivateKey ?? null };
  }

  async delOnion(serviceId: string): Promise<void> {
    await this.command(`DEL_ONION ${serviceId}`);
  }

  close(): void {
    this.#closed = true;
    this.#socket.end();
    this.#socket.destroy();
  }

  private onData(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const nl = this.#buffer.indexOf('\r\n');
      if (nl < 0) return;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 2);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const pending = this.#pending;
    if (!pending) return; // asynchronous events (650): we subscribe to none
    if (pending.data !== null) {
      if (line === '.') {
        pending.lines[pending.lines.length - 1] += `\n${pending.data.join('\n')}`;
        pending.data = null;
      } else pending.data.push(line.startsWith('..') ? line.slice(1) : line);
      return;
    }
    const code = Number(line.slice(0, 3));
    const sep = line[3];
    pending.lines.push(line.slice(4));
    if (sep === '+') pending.data = [];
    else if (sep === ' ') {
      this.#pending = null;
      pending.resolve({ code, lines: pending.lines });
    }
  }

  private unreachable(why: string): SpecterError {
    return controlUnreachable(this.host, this.port, why);
  }
}

function controlUnreachable(host: string, port: number, why: string): SpecterError {
  return new SpecterError('TOR_CONTROL_UNREACHABLE', `Tor's control port at ${host}:${port} cannot be used: ${why}`, {
    hint: 'Start Tor, or set the right control port (Settings → Tor; ControlPort in the torrc).',
    details: { host, port },
  });
}
