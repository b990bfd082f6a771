import type { HttpApi, HttpResponse } from 'specter-ts';

/**
 * The exchange's HTTP API, as this demo models it (Swan's auto-withdrawal pattern):
 *
 *   POST <AUTOWITHDRAW_API_URL>/withdrawal-addresses
 *   Authorization: Bearer <token>
 *   {"wallet": "<alias>", "addresses": ["bc1q…", …]}
 *   → 2xx: the exchange withdraws to those addresses from now on.
 */
export class ExchangeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export interface SendOptions {
  /** The host's HTTP client (`ctx.http`): only the hosts the manifest's `network:` capabilities name. */
  http: HttpApi;
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Aborted when the scheduler stops. */
  signal?: AbortSignal;
}

/** Sends the withdrawal addresses; throws ExchangeError with a message fit for the user. */
export async function sendWithdrawalAddresses(options: SendOptions, body: { wallet: string; addresses: string[] }): Promise<void> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/withdrawal-addresses`;
  let res: HttpResponse;
  try {
    res = await options.http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify(body),
      timeoutMs: options.timeoutMs,
      ...(options.signal && { signal: options.signal }),
    });
  } catch (err) {
    throw new ExchangeError(`The exchange API at ${options.baseUrl} could not be reached: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const why = res.status === 401 || res.status === 403 ? 'the API token was refused' : `HTTP ${res.status}`;
    throw new ExchangeError(`The exchange did not accept the addresses: ${why}.`, res.status);
  }
}
