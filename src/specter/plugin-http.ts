import type { HttpRequestOptions, HttpResponse } from '../extensions/index.js';
import type { HostHttpClient } from '../net/index.js';

/**
 * A plugin's `ctx.http` request through the app's one HTTP client (src/net: time limits, size cap,
 * Tor routing). The context has already checked the host against the plugin's capabilities.
 */
export async function pluginRequest(client: HostHttpClient, url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const res = await client.request(url, {
    ...(options.method !== undefined && { method: options.method }),
    ...(options.headers !== undefined && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return { status: res.status, ok: res.ok, headers, text: async () => res.text(), json: async <T>() => res.json<T>() };
}
