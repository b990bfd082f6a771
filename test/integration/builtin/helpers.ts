import path from 'node:path';
import { repoRoot } from '../../helpers/files.js';

/** The built-ins are alpha; TestConfig's threshold is beta. */
export const ALPHA = { SERVICES_DEVSTATUS_THRESHOLD: 'alpha' } as const;

/** A fixture package folder of these tests (plain JS, not compiled). */
export function builtinFixture(name: string): string {
  return path.join(repoRoot(), 'test', 'integration', 'builtin', 'fixtures', name);
}

/** `&quot;` etc. back to text, for matching values inside rendered (escaped) pages. */
export function unescapeHtml(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The text of one element found by a unique attribute, e.g. `data-ext="vault"`. */
export function section(html: string, marker: string): string {
  const at = html.indexOf(marker);
  if (at < 0) return '';
  const end = html.indexOf('</section>', at);
  return html.slice(at, end < 0 ? undefined : end);
}

/** One table row (`<tr …marker…>…</tr>`). */
export function row(html: string, marker: string): string {
  const at = html.indexOf(marker);
  if (at < 0) return '';
  const start = html.lastIndexOf('<tr', at);
  const end = html.indexOf('</tr>', at);
  return html.slice(start, end < 0 ? undefined : end);
}
