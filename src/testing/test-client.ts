import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser-like client over `fastify.inject`: keeps the session cookie, finds the CSRF token in
 * rendered pages and sends it with form posts, so tests (ours and extension authors') read like
 * what a user does.
 */
export class TestClient {
  private cookies = new Map<string, string>();
  private csrf: string | undefined;
  /** Where the last form post redirected to: the page a browser shows next (with its token). */
  private pendingPage: string | undefined;

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(url: string): string | undefined {
    // Mirror the browser: the session cookie (Path=/spc) is not sent to other paths.
    if (!url.startsWith('/spc')) return undefined;
    // light-my-request hands back decoded values; a browser sends the encoded form.
    const parts = [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    return parts.length ? parts.join('; ') : undefined;
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('text/html')) {
      const m = /name="csrf-token" content="([^"]+)"/.exec(res.body) ?? /name="csrf_token" value="([^"]+)"/.exec(res.body);
      if (m) this.csrf = m[1];
    }
  }

  async request(
    method: string,
    url: string,
    options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { accept: 'text/html', ...options.headers };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    }
    const res = await this.app.inject({ method: method as 'GET', url, headers, payload });
    this.remember(res);
    // A browser follows a form post's redirect and takes the next form's token from that page;
    // the token may have changed (the CSRF secret rotates at login).
    this.pendingPage =
      method !== 'GET' && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location ? String(res.headers.location) : undefined;
    return res;
  }

  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.request('GET', url, headers ? { headers } : {});
  }

  /** Posts a form with the CSRF token of the last page seen (fetching one first if needed). */
  async post(url: string, form: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    if (!this.csrf || this.pendingPage) await this.refreshToken(this.pendingPage ?? (url.startsWith('/spc') ? '/spc/auth/login' : url));
    return this.request('POST', url, { form: { csrf_token: this.csrf ?? '', ...form } });
  }

  /** Loads a page (following up to three redirects, as a browser would) to take its CSRF token. */
  private async refreshToken(start: string): Promise<void> {
    let res = await this.get(start);
    for (let i = 0; i < 3 && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location; i++)
      res = await this.get(String(res.headers.location));
  }

  /** Follows one redirect (what a browser does after a form post). */
  async follow(res: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    const location = res.headers.location;
    if (!location) return res;
    return this.get(String(location));
  }

  get hasSession(): boolean {
    return this.cookies.size > 0;
  }

  get csrfToken(): string | undefined {
    return this.csrf;
  }
}
