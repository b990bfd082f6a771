import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestSpecter } from '../../../../src/testing/index.js';
import { fixturePackage } from '../../../helpers/ext-packages.js';

/** The two storage fixtures: `storage_secret` (encryptData) and `storage_plain`. */
export async function storageFixtures(): Promise<string[]> {
  return [await fixturePackage('storage_secret'), await fixturePackage('storage_plain')];
}

export const SECRET_PAGE = '/spc/ext/storage_secret/';
export const PLAIN_PAGE = '/spc/ext/storage_plain/';

/** A descriptor the wallet manager imports offline (BIP84 test vector, as in the devkit test). */
export const WALLET_DESCRIPTOR =
  'wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/0/*)';

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export interface ApiCall {
  auth?: string;
  /** Sent as JSON (Content-Type: application/json). */
  json?: unknown;
  /** Sent as it is, with `contentType`. */
  raw?: string;
  contentType?: string;
}

/** `GET|PUT /api/v1/extensions/<id>/data` through `app.inject` (no cookies: the API is HTTP Basic). */
export function dataApi(t: TestSpecter, method: 'GET' | 'PUT', extId: string, call: ApiCall = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (call.auth) headers.authorization = call.auth;
  let payload: string | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(call.json);
  } else if (call.raw !== undefined) {
    headers['content-type'] = call.contentType ?? 'application/json';
    payload = call.raw;
  }
  return t.app.inject({ method, url: `/api/v1/extensions/${extId}/data`, headers, ...(payload !== undefined && { payload }) });
}

/** Parsed JSON file, or undefined when it does not exist. */
export async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** File content, or undefined when it does not exist (to prove nothing was written). */
export async function readText(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

export async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/** Every regular file under `dir` (hidden ones, backups and sub-folders included) whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await fs.readFile(file)).includes(bytes)) hits.push(path.relative(dir, file));
  }
  return hits;
}

/** How many regular files `filesContaining` looked at (so a scan of an empty folder cannot pass by accident). */
export async function countFiles(dir: string): Promise<number> {
  return (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
}

/**
 * A browser whose cookie jar outlives the app it talks to: `TestClient` is bound to one app, but
 * a restart test must show the old session cookie to the new app. Same cookie and CSRF handling
 * as TestClient (session cookie only under /spc, CSRF token taken from the last HTML page).
 */
export class PortableBrowser {
  readonly cookies = new Map<string, string>();
  #csrf: string | undefined;

  constructor(public app: FastifyInstance) {}

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (url.startsWith('/spc') && this.cookies.size) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    }
    let payload: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(form).toString();
    }
    const res = await this.app.inject({ method, url, headers, ...(payload !== undefined && { payload }) });
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (String(res.headers['content-type'] ?? '').includes('text/html')) {
      const m = /name="csrf-token" content="([^"]+)"/.exec(res.body);
      if (m) this.#csrf = m[1];
    }
    return res;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request('GET', url);
  }

  post(url: string, form: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request('POST', url, { csrf_token: this.#csrf ?? '', ...form });
  }

  /** Logs in and, as a browser does, loads the page it lands on (the CSRF secret rotates at login). */
  async login(password: string, next?: string): Promise<LightMyRequestResponse> {
    await this.get('/spc/auth/login');
    const res = await this.post('/spc/auth/login', { password, ...(next !== undefined && { next }) });
    let page = res;
    for (let i = 0; i < 3 && page.statusCode === 302 && page.headers.location; i++) page = await this.get(String(page.headers.location));
    return res;
  }
}
