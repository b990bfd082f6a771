import assert from 'node:assert/strict';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { TestClient, TestSpecter } from '../../../../src/testing/index.js';
import { repoRoot } from '../../../helpers/files.js';
import { BIP84, MULTISIG_KEYS } from '../../../unit/bitcoin/fixtures.js';

export { BIP84, MULTISIG_KEYS, TPUB_84 } from '../../../unit/bitcoin/fixtures.js';
export { snapshot } from '../../../helpers/files.js';

/** `[fp/48h/0h/0h/2h]xpub…` of the three BIP-39 test mnemonics. */
export const KEY = Object.fromEntries(
  Object.entries(MULTISIG_KEYS).map(([name, k]) => [name, `[${k.fingerprint}/${k.path.slice(2)}]${k.xpub}`]),
) as Record<keyof typeof MULTISIG_KEYS, string>;
/** The BIP-84 account key of "abandon … about", as a zpub with its origin. */
export const KEY_84 = `[73c5da0a/84h/0h/0h]${BIP84.zpub}`;
/** The same key as an xpub (descriptors take xpub/tpub only). */
export const XPUB_84 = `[73c5da0a/84h/0h/0h]${BIP84.xpub}`;

/** A plain-JS fixture package of these tests. */
export function walletFixture(name: string): string {
  return path.join(repoRoot(), 'test', 'integration', 'managers', 'wallets', 'fixtures', name);
}

/** A logged-in browser-like client that has seen a page (so it has a CSRF token). */
export async function uiClient(t: TestSpecter): Promise<TestClient> {
  const client = t.client();
  await client.get('/spc/wallets/');
  return client;
}

/** The three standard devices (Abandon also holds the BIP-84 key) and the 2-of-3 wallet "Cold". */
export async function standardSetup(t: TestSpecter, client: TestClient): Promise<void> {
  for (const [name, type, keys] of [
    ['Abandon', 'coldcard', `${KEY.abandon}\n${KEY_84}`],
    ['Legal', 'trezor', KEY.legal],
    ['Letter', 'ledger', KEY.letter],
  ] as const) {
    const res = await client.post('/spc/devices/new', { name, type, keys });
    assert.equal(res.statusCode, 302, `device ${name}: ${errorOf(res)}`);
  }
  const res = await client.post('/spc/wallets/new/multisig', { name: 'Cold', threshold: '2', script_type: 'wsh', devices: 'abandon,legal,letter' });
  assert.equal(res.statusCode, 302, errorOf(res));
  void t;
}

/** The form error shown on a refused page. */
export function errorOf(res: LightMyRequestResponse): string {
  const m = /<div class="form-error"[^>]*>\s*<strong>([\s\S]*?)<\/strong>/.exec(res.body);
  return m ? unescapeHtml(m[1]!) : '';
}

export function unescapeHtml(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The flash messages on a page. */
export function flashes(res: LightMyRequestResponse): string[] {
  return [...res.body.matchAll(/<div class="flash flash-\w+">([\s\S]*?)<\/div>/g)].map((m) => unescapeHtml(m[1]!));
}

/** The receive address shown on the Receive tab. */
export function receiveAddress(res: LightMyRequestResponse): string {
  const m = /id="receive-address">([^<]+)</.exec(res.body);
  assert.ok(m, 'no receive address on the page');
  return m[1]!;
}
