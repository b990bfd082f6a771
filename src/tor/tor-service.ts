/**
 * Tor for the app: the settings (config.json, Specter's names), the built-in or custom daemon, the
 * routing every outgoing connection asks for (proxySettings / agentFor / httpClient), the status
 * the settings page and `GET /api/v1/tor` show, and the onion service that publishes the app.
 *
 * Types (`tor_type`): `none` (Specter's `disabled` too) — no proxy, `.onion` fails clearly;
 * `builtin` — our own tor process (builtin-tor.ts); `custom` — the user's Tor: `proxy_url`, control
 * port `tor_control_port` on the proxy's host, control password (a 0600 file) or cookie.
 *
 * The onion service exists only while the control connection is open (not detached), maps port 80
 * to the app's listen address, and uses the key in `<data>/tor/onion_key` so the address stays
 * the same across restarts. It is refused while auth is `none`: whoever reaches the address would
 * be admin.
 */
import type http from 'node:http';
import { SpecterError, isSpecterError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { AuthMethod, ConfigManager } from '../managers/config/index.js';
import { HostHttpClient, type HostHttpClientOptions, routeFor, socksAgent, type ProxySettings } from '../net/index.js';
import { BuiltinTor } from './builtin-tor.js';
import type { TorControlClient } from './control-client.js';
import { canConnect, connectCustomTor, controlHost } from './custom-tor.js';
import { TorSecrets } from './secrets.js';

export const TOR_TYPES = ['none', 'builtin', 'custom'] as const;
export type TorType = (typeof TOR_TYPES)[number];
export const DEFAULT_PROXY_URL = 'socks5h://localhost:9050';
export const DEFAULT_CONTROL_PORT = 9051;

export interface TorStatus {
  type: TorType;
  only_tor: boolean;
  /** The seed's is_tor_dameon_running: the control port answered and accepted us. */
  running: boolean;
  /** The SOCKS port accepts connections. */
  proxy_reachable: boolean;
  proxy_url: string | null;
  control_port: number | null;
  version: string | null;
  bootstrap: string | null;
  pid: number | null;
  hidden_service: boolean;
  onion_address: string | null;
  /** What is wrong, in words, and how to fix it (null when nothing is). */
  problem: string | null;
  hint: string | null;
}

/** What the settings form sends; absent fields keep their value. */
export interface TorSettingsInput {
  tor_type?: string;
  proxy_url?: string;
  tor_control_port?: string | number;
  /** A custom Tor's control password; undefined keeps the stored one, '' removes it. */
  tor_control_password?: string;
  tor_cookie_file?: string;
  tor_path?: string;
  only_tor?: boolean;
}

export interface TorServiceOptions {
  dataFolder: string;
  config: ConfigManager;
  logger: Logger;
  authMethod: () => AuthMethod;
  /** Routing changed (Tor started, stopped, settings saved): cached RPC clients must be rebuilt. */
  onRouteChange?: () => void;
  startTimeoutMs?: number;
  /** The built-in Tor makes no connection to the Tor network (TOR_OFFLINE). */
  offline?: boolean;
  /** Time limit of control-port and proxy checks (ms). */
  checkTimeoutMs?: number;
}

export function torTypeOf(value: unknown): TorType {
  return value === 'builtin' || value === 'custom' ? value : 'none';
}

function validationError(field: string, message: string, hint?: string): SpecterError {
  return new SpecterError('VALIDATION', message, { ...(hint && { hint }), details: { field } });
}

export class TorService {
  readonly secrets: TorSecrets;
  readonly builtin: BuiltinTor;
  #customControl: TorControlClient | null = null;
  #onion: { serviceId: string; control: TorControlClient } | null = null;
  #appTarget: { host: string; port: number } | null = null;
  #lastError: SpecterError | null = null;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TorServiceOptions) {
    this.secrets = new TorSecrets(options.dataFolder);
    this.builtin = new BuiltinTor({
      dataFolder: options.dataFolder,
      torPath: () => options.config.values.tor_path,
      logger: options.logger,
      ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }),
      ...(options.offline !== undefined && { offline: options.offline }),
    });
  }

  get type(): TorType {
    return torTypeOf(this.options.config.values.tor_type);
  }

  /** The routing settings right now (read per request). */
  proxySettings(): ProxySettings {
    const values = this.options.config.values;
    const onlyTor = values.only_tor;
    switch (this.type) {
      case 'builtin': {
        const running = this.builtin.running;
        if (running && !running.control.closed) return { proxyUrl: `socks5h://127.0.0.1:${running.socksPort}`, onlyTor };
        return { proxyUrl: null, onlyTor, unavailable: 'the built-in Tor is not running.' };
      }
      case 'custom':
        return { proxyUrl: values.proxy_url || DEFAULT_PROXY_URL, onlyTor };
      default:
        // only_tor without Tor fails closed (NET_TOR_REQUIRED) rather than going direct.
        return { proxyUrl: null, onlyTor };
    }
  }

  /** For the Bitcoin Core RPC client: a SOCKS agent for a `.onion` node (or any non-private one with only_tor). */
  agentFor(host: string): http.Agent | undefined {
    const route = routeFor(host, this.proxySettings(), { privateDirect: true });
    return route.via === 'proxy' ? socksAgent(route.proxy, { isolate: false, keepAlive: true, timeoutMs: 60_000 }) : undefined;
  }

  /** The host HTTP client for one caller (a fee source, a plugin), routed by these settings. */
  httpClient(name: string, options: Omit<HostHttpClientOptions, 'name' | 'proxy' | 'logger'> = {}): HostHttpClient {
    return new HostHttpClient({ ...options, name, proxy: () => this.proxySettings(), logger: this.options.logger });
  }

  /** The published onion address (for the Host allow-list), or null. */
  get onionAddress(): string | null {
    return this.#onion ? `${this.#onion.serviceId}.onion` : null;
  }

  /** Where the onion service points: the app's listen address (any-address → loopback). */
  setAppTarget(host: string, port: number): void {
    const local = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    this.#appTarget = { host: local, port };
  }

  /** Starts what the settings ask for; failures are kept for the status, not thrown (the app starts anyway). */
  async start(): Promise<void> {
    await this.serial(async () => {
      try {
        await this.bringUp();
      } catch (err) {
        this.remember(err);
      }
    });
  }

  /** Unpublishes the onion service, closes the control connection and stops the built-in tor. */
  async stop(): Promise<void> {
    await this.serial(async () => {
      await this.takeDown();
    });
  }

  /** Validates and saves the settings, then restarts Tor accordingly. A custom Tor must accept the control credentials first. */
  async update(input: TorSettingsInput): Promise<TorStatus> {
    await this.serial(async () => {
      const values = this.options.config.values;
      const rawType = input.tor_type ?? values.tor_type;
      if (!(TOR_TYPES as readonly string[]).includes(rawType) && rawType !== 'disabled') {
        throw validationError('tor_type', `Tor type "${rawType}" is unknown.`, `Choose one of ${TOR_TYPES.join(', ')}.`);
      }
      const type = torTypeOf(rawType);
      const onlyTor = input.only_tor ?? values.only_tor;
      if (onlyTor && type === 'none') {
        throw validationError('only_tor', '"Only Tor" needs Tor: choose built-in or custom first.');
      }
      const proxyUrl = (input.proxy_url ?? values.proxy_url).trim() || DEFAULT_PROXY_URL;
      const portText = String(input.tor_control_port ?? values.tor_control_port).trim();
      const port = portText === '' ? DEFAULT_CONTROL_PORT : Number(portText);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw validationError('tor_control_port', `Control port "${portText}" is not a port number (1–65535).`);
      }
      const torPath = (input.tor_path ?? values.tor_path).trim();
      const cookieFile = (input.tor_cookie_file ?? values.tor_cookie_file).trim();
      if (type === 'custom') {
        try {
          routeFor('example.onion', { proxyUrl, onlyTor: false });
        } catch (err) {
          if (isSpecterError(err)) throw validationError('proxy_url', err.message, err.hint);
          throw err;
        }
        const password = input.tor_control_password === undefined ? await this.secrets.read('customPassword') : input.tor_control_password;
        // Test the control port before saving: a wrong password is a form error, not a saved state.
        const control = await connectCustomTor({ proxyUrl, port, password: password || null, cookieFile, timeoutMs: this.checkTimeout() });
        control.close();
        if (input.tor_control_password !== undefined) {
          if (input.tor_control_password) await this.secrets.write('customPassword', input.tor_control_password);
          else await this.secrets.remove('customPassword');
        }
      }
      await this.takeDown();
      await this.options.config.update({
        tor_type: type,
        only_tor: onlyTor,
        proxy_url: proxyUrl,
        tor_control_port: portText,
        tor_path: torPath,
        tor_cookie_file: cookieFile,
      });
      this.#lastError = null;
      try {
        await this.bringUp();
      } catch (err) {
        throw this.remember(err);
      } finally {
        // Saved settings (only_tor, the proxy) change routes even when the daemon did not change.
        this.options.onRouteChange?.();
      }
    });
    return this.status();
  }

  /** Turns the onion service on or off (saved as `tor_status`, so it comes back at the next start). */
  async setHiddenService(enabled: boolean): Promise<TorStatus> {
    await this.serial(async () => {
      if (enabled) await this.publish();
      else await this.unpublish();
      await this.options.config.update({ tor_status: enabled });
    });
    return this.status();
  }

  /** The seed's is_tor_dameon_running(): the control port answers and accepted our credentials. */
  async isTorDaemonRunning(): Promise<boolean> {
    return (await this.status()).running;
  }

  async status(): Promise<TorStatus> {
    const values = this.options.config.values;
    const type = this.type;
    const settings = this.proxySettings();
    const base: TorStatus = {
      type,
      only_tor: values.only_tor,
      running: false,
      proxy_reachable: false,
      proxy_url: settings.proxyUrl,
      control_port: null,
      version: null,
      bootstrap: null,
      pid: type === 'builtin' ? this.builtin.pid : null,
      hidden_service: values.tor_status,
      onion_address: this.onionAddress,
      problem: null,
      hint: null,
    };
    if (this.#onion && this.options.authMethod() === 'none') await this.serial(() => this.unpublish());
    base.onion_address = this.onionAddress;
    if (type === 'none') {
      if (values.only_tor) return { ...base, problem: '"Only Tor" is on but Tor is off: outgoing requests fail.', hint: 'Choose a Tor type.' };
      return base;
    }
    let control: TorControlClient | null = null;
    try {
      control = type === 'builtin' ? (this.builtin.running?.control ?? null) : await this.customControl();
      if (!control || control.closed) {
        const why = this.#lastError ?? new SpecterError('TOR_START_FAILED', 'The built-in Tor is not running.', { hint: 'Press Start.' });
        return { ...base, problem: why.message, hint: why.hint ?? null };
      }
      const info = await control.getInfo('version', 'status/bootstrap-phase');
      const phase = info['status/bootstrap-phase'] ?? '';
      const progress = /PROGRESS=(\d+)/.exec(phase)?.[1];
      const summary = /SUMMARY="([^"]*)"/.exec(phase)?.[1];
      base.running = true;
      base.version = info.version ?? null;
      base.bootstrap = progress ? `${progress}% ${summary ?? ''}`.trim() : null;
      base.control_port = control.port;
    } catch (err) {
      const e = this.remember(err);
      return { ...base, problem: e.message, hint: e.hint ?? null };
    }
    const proxy = settings.proxyUrl ? new URL(settings.proxyUrl) : null;
    base.proxy_reachable = proxy ? await canConnect(controlHost(proxy.hostname), Number(proxy.port), this.checkTimeout()) : false;
    if (!base.proxy_reachable)
      return { ...base, problem: `Tor's SOCKS proxy at ${proxy?.host ?? '?'} does not accept connections.`, hint: 'Check the proxy URL.' };
    if (values.tor_status && !this.#onion && this.#lastError)
      return { ...base, problem: this.#lastError.message, hint: this.#lastError.hint ?? null };
    return base;
  }

  // --- internals (callers hold the serial lock) ---

  private async bringUp(): Promise<void> {
    const type = this.type;
    const before = this.routeKey();
    try {
      if (type === 'builtin') await this.builtin.start();
      else if (type === 'custom') await this.customControl();
    } finally {
      if (this.routeKey() !== before) this.options.onRouteChange?.();
    }
    if (type !== 'none' && this.options.config.values.tor_status && this.#appTarget && this.options.authMethod() !== 'none') await this.publish();
  }

  private async takeDown(): Promise<void> {
    const before = this.routeKey();
    await this.unpublish().catch((err: unknown) => this.options.logger.warn({ err: String(err) }, 'could not remove the onion service'));
    this.#customControl?.close();
    this.#customControl = null;
    await this.builtin.stop();
    if (this.routeKey() !== before) this.options.onRouteChange?.();
  }

  /** Changes of this (proxy URL, only_tor) make cached RPC clients stale. */
  private routeKey(): string {
    const { proxyUrl, onlyTor, unavailable } = this.proxySettings();
    return `${proxyUrl}|${onlyTor}|${unavailable ?? ''}`;
  }

  private async publish(): Promise<void> {
    if (this.#onion && !this.#onion.control.closed) return;
    if (this.options.authMethod() === 'none') {
      throw new SpecterError('TOR_HIDDEN_SERVICE_REFUSED', 'The app cannot be published as an onion service while authentication is "none".', {
        hint: 'Anyone reaching the address would be admin: set a password first (Settings → Authentication).',
      });
    }
    if (this.type === 'none') {
      throw new SpecterError('TOR_HIDDEN_SERVICE_REFUSED', 'Tor is off: there is nothing to publish the onion service with.', {
        hint: 'Choose built-in or custom Tor first.',
      });
    }
    if (!this.#appTarget) {
      throw new SpecterError('TOR_HIDDEN_SERVICE_REFUSED', 'The app is not listening yet, so there is no address to publish.', {
        hint: 'Try again once the server has started.',
      });
    }
    const control = this.type === 'builtin' ? (this.builtin.running?.control ?? (await this.builtin.start()).control) : await this.customControl();
    const key = await this.secrets.read('onionKey');
    const service = await control.addOnion(80, `${this.#appTarget.host}:${this.#appTarget.port}`, key ?? undefined);
    if (service.privateKey) await this.secrets.write('onionKey', service.privateKey);
    this.#onion = { serviceId: service.serviceId, control };
    control.onClose(() => {
      if (this.#onion?.control === control) this.#onion = null;
    });
    this.#lastError = null;
    this.options.logger.info({ onion: this.onionAddress }, 'onion service published');
  }

  private async unpublish(): Promise<void> {
    const onion = this.#onion;
    this.#onion = null;
    if (!onion || onion.control.closed) return;
    await onion.control.delOnion(onion.serviceId);
    this.options.logger.info({ onion: `${onion.serviceId}.onion` }, 'onion service removed');
  }

  private async customControl(): Promise<TorControlClient> {
    if (this.#customControl && !this.#customControl.closed) return this.#customControl;
    const values = this.options.config.values;
    const portText = String(values.tor_control_port).trim();
    const password = await this.secrets.read('customPassword');
    const control = await connectCustomTor({
      proxyUrl: values.proxy_url || DEFAULT_PROXY_URL,
      port: portText ? Number(portText) : DEFAULT_CONTROL_PORT,
      password,
      cookieFile: values.tor_cookie_file,
      timeoutMs: this.checkTimeout(),
    });
    this.#customControl = control;
    return control;
  }

  private checkTimeout(): number {
    return this.options.checkTimeoutMs ?? 5_000;
  }

  private remember(err: unknown): SpecterError {
    const e = isSpecterError(err) ? err : new SpecterError('INTERNAL', `Tor: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    this.#lastError = e;
    this.options.logger.warn({ code: e.code }, e.message);
    return e;
  }

  /** Start, stop, update and publish run one at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn, fn);
    this.#busy = run.catch(() => undefined);
    return run;
  }
}
