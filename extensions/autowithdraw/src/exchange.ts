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
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Aborted when the scheduler stops. */
  signal?: AbortSignal;
}

/** Sends the withdrawal addresses; throws ExchangeError with a message fit for the user. */
export async function sendWithdrawalAddresses(options: SendOptions, body: { wallet: string; addresses: string[] }): Promise<void> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/withdrawal-addresses`;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    const reason = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (err as Error).message;
    throw new ExchangeError(`The exchange API at ${options.baseUrl} could not be reached: ${reason}.`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    const why = res.status === 401 || res.status === 403 ? 'the API token was refused' : `HTTP ${res.status}`;
    throw new ExchangeError(`The exchange did not accept the addresses: ${why}.`, res.status);
  }
  await res.body?.cancel();
}
