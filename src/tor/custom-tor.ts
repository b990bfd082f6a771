/**
 * The user's own Tor ("custom"): its control port is on the SOCKS proxy's host (Specter's rule,
 * `localhost` → 127.0.0.1), authenticated with the stored password, else the cookie (the
 * configured file, or the one Tor names in PROTOCOLINFO), else none when Tor allows it.
 */
import net from 'node:net';
import { SpecterError } from '../errors/index.js';
import { TorControlClient, type TorAuth } from './control-client.js';

export interface CustomTorTarget {
  proxyUrl: string;
  port: number;
  password: string | null;
  cookieFile: string;
  timeoutMs: number;
}

/** The control port's host for a proxy host. */
export function controlHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' ? '127.0.0.1' : h;
}

/** Connects to a custom Tor's control port and authenticates; the connection is closed on failure. */
export async function connectCustomTor(target: CustomTorTarget): Promise<TorControlClient> {
  const host = controlHost(new URL(target.proxyUrl).hostname);
  const control = await TorControlClient.connect({ host, port: target.port, timeoutMs: target.timeoutMs });
  try {
    let auth: TorAuth = { none: true };
    if (target.password) auth = { password: target.password };
    else {
      const info = await control.protocolInfo();
      const file = target.cookieFile || info.cookieFile;
      if (info.methods.includes('COOKIE') && file) auth = { cookieFile: file };
      else if (!info.methods.includes('NULL')) {
        throw new SpecterError(
          'TOR_CONTROL_AUTH_FAILED',
          `Tor's control port at ${host}:${target.port} needs a password (${info.methods.join(', ')}).`,
          {
            hint: 'Type the control password whose hash is HashedControlPassword in your torrc.',
          },
        );
      }
    }
    await control.authenticate(auth);
    return control;
  } catch (err) {
    control.close();
    throw err;
  }
}

/** Can a TCP connection to host:port be opened (bounded)? */
export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
