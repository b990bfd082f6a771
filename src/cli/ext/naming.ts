/**
 * Names and the input rules of `specter ext gen` (also used by `specter ext validate`).
 * Every check returns the problem and its fix as one sentence, or undefined when the value is fine.
 */

/**
 * Extension ids: lowercase letters, digits and `_`, as the manifest schema says, and — because the
 * generator derives a class name (`RubberDuckExtension`) and config keys (`RUBBER_DUCK_…`) from
 * it — starting with a letter. 40 characters at most: the id is a URL segment, a folder name
 * and part of file names.
 */
export const GEN_ID_PATTERN = /^[a-z][a-z0-9_]*$/;
export const MAX_ID_LENGTH = 40;

/**
 * Ids that collide with a core blueprint (`<id>_endpoint`) or a core URL segment. An extension
 * called "settings" would own `settings_endpoint.static`, which the core settings pages use.
 */
export const RESERVED_IDS: ReadonlySet<string> = new Set([
  'api',
  'auth',
  'devices',
  'ext',
  'nodes',
  'plugins',
  'price',
  'services',
  'settings',
  'setup',
  'spc',
  'static',
  'wallets',
  'welcome',
]);

/** The nearest valid id: lowercase, "_" for separators, other characters dropped. */
export function suggestId(raw: string): string {
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_')
    .replace(/[^a-z0-9_]/g, '')
    .replace(/^[0-9_]+/, '')
    .slice(0, MAX_ID_LENGTH);
  return s && !RESERVED_IDS.has(s) ? s : 'rubberduck';
}

export function checkId(id: string): string | undefined {
  const fix = `use lowercase letters, digits and "_", starting with a letter, e.g. "${suggestId(id)}".`;
  if (id === '') return `the id is empty; ${fix}`;
  if (RESERVED_IDS.has(id)) return `"${id}" is taken by Specter TS itself (a core page or blueprint); pick another id, e.g. "my_${id}".`;
  if (id.length > MAX_ID_LENGTH) return `"${id}" is ${id.length} characters long; use at most ${MAX_ID_LENGTH}.`;
  if (GEN_ID_PATTERN.test(id)) return undefined;
  const reasons: string[] = [];
  if (/[A-Z]/.test(id)) reasons.push('has capital letters');
  if (/[-\s.]/.test(id)) reasons.push('has "-", "." or spaces');
  if (/^[0-9_]/.test(id)) reasons.push('does not start with a letter');
  if (/[^A-Za-z0-9_\s.-]/.test(id)) reasons.push('has other characters');
  return `"${id}" ${reasons.join(' and ') || 'is not a valid id'}; ${fix}`;
}

/** The npm scope, without "@": lowercase, as npm requires. Empty means an unscoped package. */
export const ORG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export function checkOrg(org: string): string | undefined {
  if (org === '') return undefined;
  if (org.startsWith('@')) return `drop the "@": give the scope as "${org.slice(1)}".`;
  if (/[A-Z]/.test(org) && ORG_PATTERN.test(org.toLowerCase()))
    return `"${org}" has capital letters; npm scopes are lowercase, e.g. "${org.toLowerCase()}".`;
  if (!ORG_PATTERN.test(org) || org.length > 100)
    return `"${org}" is not a valid npm scope; use lowercase letters, digits, "-", "." and "_", e.g. "mynym".`;
  return undefined;
}

/** Device type names are CamelCase (they become an exported constant `<Name>Device`). */
export const DEVICE_NAME_PATTERN = /^[A-Z][A-Za-z0-9]*$/;

export function checkDeviceName(name: string): string | undefined {
  if (DEVICE_NAME_PATTERN.test(name) && name.length <= 40) return undefined;
  const suggestion = camelcase(name.replace(/[^A-Za-z0-9]+/g, '_'));
  const example = DEVICE_NAME_PATTERN.test(suggestion) ? suggestion : 'MyDevice';
  return `"${name}" is not a CamelCase name; use letters and digits starting with a capital, e.g. "${example}".`;
}

/** `rubber_duck` → `RubberDuck`; `MyDice` stays `MyDice`. */
export function camelcase(s: string): string {
  return s
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `MyDice` → `my_dice`, `BitBox02` → `bit_box02`, `ABCDevice` → `abc_device`, `rubber_duck` stays. */
export function snakecase(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

/** `rubber_duck` → `Rubber Duck`: the default display name. */
export function displayName(id: string): string {
  return id
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(' ');
}

/** A stable colour per id for the generated icon (FNV-1a hue, fixed saturation and lightness). */
export function colorFor(id: string): string {
  let h = 0x811c9dc5;
  for (const ch of id) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return hslToHex(h % 360, 0.55, 0.42);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
