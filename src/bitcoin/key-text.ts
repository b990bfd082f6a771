/**
 * A key as people paste it: `[fingerprint/path]xpub`, optionally followed by the wallet branch
 * (`/0/*`, `/<0;1>/*`, `/{0,1}/*`). SLIP-132 prefixes are accepted and canonicalised here, unlike
 * inside descriptors.
 */
import { SpecterError } from '../errors/index.js';
import { assertKeyNetwork, parseExtendedKey, type ExtendedKey, type ParseKeyOptions } from './keys.js';
import { formatDerivationPath, formatKeyOrigin, parseKeyOrigin, type KeyOrigin } from './paths.js';

export interface KeyWithOrigin {
  origin: KeyOrigin | null;
  /** 8 hex, or null without origin. */
  fingerprint: string | null;
  /** "m/84h/0h/0h", or null without origin. */
  originPath: string | null;
  key: ExtendedKey;
  /** The text as given (trimmed). */
  original: string;
}

const BRANCH_SUFFIX = /\/(?:0\/\*|<0;1>\/\*|\{0,1\}\/\*|\*)$/;

export function parseKeyWithOrigin(text: string, options: ParseKeyOptions = {}): KeyWithOrigin {
  const original = text.trim();
  let rest = original;
  let origin: KeyOrigin | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) {
      throw new SpecterError('KEY_ORIGIN_INVALID', `${options.where ? `${options.where}: ` : ''}key origin "[" is not closed with "]".`, {
        hint: 'Write it as [fingerprint/path]xpub…, e.g. [73c5da0a/84h/0h/0h]xpub….',
      });
    }
    origin = parseKeyOrigin(rest.slice(0, close + 1));
    rest = rest.slice(close + 1);
  }
  rest = rest.replace(BRANCH_SUFFIX, '');
  if (rest.includes('/')) {
    throw new SpecterError(
      'KEY_INVALID',
      `${options.where ? `${options.where}: ` : ''}unexpected derivation "${rest.slice(rest.indexOf('/'))}" after the key.`,
      {
        hint: 'A wallet key may only end in /0/* or /<0;1>/*; put the hardened path in the origin: [fingerprint/84h/0h/0h]xpub….',
      },
    );
  }
  const key = parseExtendedKey(rest, { where: options.where });
  if (options.network) assertKeyNetwork(key, options.network, options.where);
  return {
    origin,
    fingerprint: origin?.fingerprint ?? null,
    originPath: origin ? formatDerivationPath(origin.path) : null,
    key,
    original,
  };
}

/** `[fp/path]xpub` (or bare xpub) for use inside a descriptor. */
export function formatKeyWithOrigin(k: Pick<KeyWithOrigin, 'origin'> & { key: { xpub: string } }): string {
  return (k.origin ? formatKeyOrigin(k.origin) : '') + k.key.xpub;
}
