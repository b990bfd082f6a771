/**
 * Template filters for how things read, one definition for core and extension templates alike:
 *
 * - `datetime`: an ISO string, Date or epoch milliseconds → `<time datetime="…Z">2 Dec 2026, 05:47 UTC</time>`.
 *   The server does not know the reader's time zone, so it writes UTC in one fixed, readable form;
 *   `static/js/local-time.js` (loaded by base.njk) rewrites the text to the browser's local time
 *   in the same style and keeps the UTC time as the tooltip. Anything that is not a time is shown
 *   as given (escaped), an empty value as "—".
 * - `number`: 262144 → "262,144".
 * - `amount`: integer satoshis → "0.00123456 BTC" or "123,456 sats" by the unit setting
 *   (`{{ tx.amount | amount(specter.config.unit) }}`); a signed flow keeps its sign. Amounts are
 *   integers everywhere inside the app; this is the only place they become a decimal, as text.
 * - `fiat`: integer satoshis → their value at the page's price, "$1,234.56" (`{{ b.confirmed | fiat(price) }}`);
 *   empty when prices are off or there is no rate, so a template can write it unconditionally.
 * - `fiat_rate`: the price of 1 BTC → "$65,432" (whole units, as Specter's top bar).
 */
import nunjucks from 'nunjucks';

const UTC_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** Recently formatted times: a page shows the same rows view after view, and Intl formatting is not cheap. */
const formattedTimes = new Map<number, string>();
const FORMATTED_TIMES_KEPT = 2_000;

/** "2 Dec 2026, 05:47 UTC". */
export function formatUtc(date: Date): string {
  const key = date.getTime();
  let text = formattedTimes.get(key);
  if (text === undefined) {
    text = `${UTC_FORMAT.format(date)} UTC`;
    if (formattedTimes.size >= FORMATTED_TIMES_KEPT) formattedTimes.clear();
    formattedTimes.set(key, text);
  }
  return text;
}

/** One formatter: Number#toLocaleString builds a new one on every call. */
const GROUPED = new Intl.NumberFormat('en-US');

export function datetimeFilter(value: unknown): nunjucks.runtime.SafeString | string {
  if (value === null || value === undefined || value === '') return '—';
  const date = toDate(value);
  if (!date) return String(value);
  const iso = date.toISOString();
  const text = formatUtc(date);
  return new nunjucks.runtime.SafeString(`<time datetime="${iso}" title="${text}" data-local>${text}</time>`);
}

export function numberFilter(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? GROUPED.format(n) : String(value ?? '');
}

export function amountFilter(sats: unknown, unit: unknown = 'btc'): string {
  if (typeof sats !== 'number' || !Number.isSafeInteger(sats)) return sats === null || sats === undefined ? '—' : String(sats);
  const sign = sats < 0 ? '−' : '';
  const abs = Math.abs(sats);
  if (unit === 'sat') return `${sign}${GROUPED.format(abs)} sats`;
  const whole = Math.floor(abs / 100_000_000);
  const frac = String(abs % 100_000_000).padStart(8, '0');
  return `${sign}${GROUPED.format(whole)}.${frac} BTC`;
}

/** The page's price (PriceView's fields the filters need). */
interface FiatPrice {
  enabled: boolean;
  currency: string;
  btcPrice: number | null;
}

/** Currency formatters by `currency|digits`: building one is slow. */
const fiatFormats = new Map<string, Intl.NumberFormat>();

function fiatFormat(currency: string, wholeUnits: boolean): Intl.NumberFormat | null {
  const key = `${currency}|${wholeUnits}`;
  let format = fiatFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        ...(wholeUnits && { maximumFractionDigits: 0, minimumFractionDigits: 0 }),
      });
    } catch {
      return null; // not a well-formed code: the settings page refuses those, an old config.json may not
    }
    fiatFormats.set(key, format);
  }
  return format;
}

export function fiatRateFilter(btcPrice: unknown, currency: unknown): string {
  if (typeof btcPrice !== 'number' || !Number.isFinite(btcPrice) || typeof currency !== 'string') return '';
  return fiatFormat(currency, true)?.format(btcPrice) ?? `${GROUPED.format(Math.round(btcPrice))} ${currency}`;
}

export function fiatFilter(sats: unknown, price: unknown): string {
  if (typeof sats !== 'number' || !Number.isSafeInteger(sats)) return '';
  const p = price as FiatPrice | null | undefined;
  if (!p?.enabled || typeof p.btcPrice !== 'number' || !(p.btcPrice > 0)) return '';
  // Display only: the amount stays integer satoshis everywhere else.
  const value = (sats / 100_000_000) * p.btcPrice;
  const text = fiatFormat(p.currency, false)?.format(Math.abs(value)) ?? `${Math.abs(value).toFixed(2)} ${p.currency}`;
  return `${value < 0 ? '−' : ''}${text}`;
}

export function addViewFilters(env: nunjucks.Environment): void {
  env.addFilter('fiat', fiatFilter);
  env.addFilter('fiat_rate', fiatRateFilter);
  env.addFilter('amount', amountFilter);
  env.addFilter('datetime', datetimeFilter);
  env.addFilter('number', numberFilter);
}
