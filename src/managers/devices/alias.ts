/**
 * Aliases: file-name-safe ids made from display names (Specter's `alias()`), unique among the
 * names already taken.
 */
import { SpecterError, type ErrorKey } from '../../errors/index.js';

export const MAX_NAME_LENGTH = 100;

/**
 * "My Coldcard #2" → "my-coldcard-2". Empty results fall back to `fallback`. Aliases never contain
 * "_": wallet files share a folder with `<alias>_addresses.json` and the extensions' annotation
 * files `<alias>_<extension id>.json` (the seed's name), so an alias with "_" could collide.
 */
export function slugify(name: string, fallback: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || fallback;
}

/** First of slug, slug-1, slug-2… for which `taken` is false. */
export function uniqueAlias(name: string, fallback: string, taken: (alias: string) => boolean): string {
  const base = slugify(name, fallback);
  if (!taken(base)) return base;
  for (let i = 1; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken(candidate)) return candidate;
  }
}

/** Trimmed display name, or an error naming the problem. */
export function validateName(name: unknown, what: string, errorKey: ErrorKey): string {
  if (typeof name !== 'string' || !name.trim()) {
    throw new SpecterError(errorKey, `The ${what} name is empty.`, { hint: `Give the ${what} a name.`, details: { field: 'name' } });
  }
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new SpecterError(errorKey, `The ${what} name is ${trimmed.length} characters long; the maximum is ${MAX_NAME_LENGTH}.`, {
      hint: 'Use a shorter name.',
      details: { field: 'name' },
    });
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new SpecterError(errorKey, `The ${what} name contains control characters.`, {
      hint: 'Use printable characters only.',
      details: { field: 'name' },
    });
  }
  return trimmed;
}

/** Aliases come from URLs too: only what slugify can produce, so they are safe as file names. */
export function isValidAlias(alias: unknown): alias is string {
  return typeof alias === 'string' && /^[a-z0-9][a-z0-9-]{0,80}$/.test(alias);
}
