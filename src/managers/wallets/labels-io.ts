/**
 * Address labels in and out of three formats:
 *
 * - **Specter** (wallet "Export labels" and the `labels` field of Specter's wallet backup):
 *   `{"labels": {"Savings": ["bc1q…", "bc1q…"], …}}`. An empty label is skipped, as Specter does.
 * - **Electrum** (`Wallet → Labels → Export`): `{"bc1q…": "Savings", "<txid>": "Rent", …}`.
 *   Transaction labels (64 hex digits) have nothing to attach to here: counted and skipped.
 *   An empty label clears the address's label, as Electrum's `set_label` does.
 * - **BIP-329** (Sparrow, Electrum 4.5+, …): JSON lines, one `{"type", "ref", "label"?, …}` per
 *   line. `addr` records are applied; `tx`, `input`, `output`, `pubkey`, `xpub` and `spscan`
 *   records are counted and skipped (this app keeps labels for addresses only). A record without
 *   `label` leaves the address alone (BIP-329: "the importing wallet should not alter" it).
 *
 * Labels are normalised as Electrum does (line breaks and tabs become spaces, then trimmed) and
 * must fit the wallet's label rules (≤ 250 characters, no other control characters). Every
 * problem is a LABELS_INVALID naming the line (BIP-329) or the field (JSON) — nothing is applied
 * unless the whole file is good.
 */
import { z } from 'zod';
import { SpecterError } from '../../errors/index.js';
import { MAX_LABEL_LENGTH } from './address-book.js';

export const LABEL_FORMATS = ['specter', 'electrum', 'bip329'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

export const LABEL_FORMAT_NAMES: Record<LabelFormat, string> = {
  specter: 'Specter JSON',
  electrum: 'Electrum JSON',
  bip329: 'BIP-329 (JSON lines)',
};

/** BIP-329 record types (`spscan` came with the 2025 revision). */
export const BIP329_TYPES = ['tx', 'addr', 'pubkey', 'input', 'output', 'xpub', 'spscan'] as const;
export type Bip329Type = (typeof BIP329_TYPES)[number];

/** One address label; `label: null` clears it (the default "Address #i" shows again). */
export interface AddressLabel {
  address: string;
  label: string | null;
}

export interface ParsedLabels {
  format: LabelFormat;
  /** In file order, one entry per address. */
  labels: AddressLabel[];
  /** Records this app does not keep, by kind ("tx", "output", …). */
  skipped: Partial<Record<string, number>>;
}

/** Specter's export and backup field: label → addresses. Extra keys (a whole backup) are allowed. */
export const specterLabelsSchema = z.record(
  z.string(),
  z.array(z.string({ error: 'must be an address (text)' }), { error: 'must be a list of addresses' }),
  {
    error: 'must be an object of label → list of addresses',
  },
);
const specterFileSchema = z.looseObject({ labels: specterLabelsSchema });

/** Electrum: address or txid → label. */
const electrumSchema = z.record(z.string(), z.string({ error: 'must be a label (text)' }), { error: 'must be an object of address → label' });

/** One BIP-329 line. Unknown fields are ignored, as the BIP asks of importers. */
const bip329RecordSchema = z.looseObject({
  type: z.enum(BIP329_TYPES, { error: `"type" must be one of ${BIP329_TYPES.join(', ')}` }),
  ref: z.string({ error: '"ref" must be text' }).min(1, { error: '"ref" is empty' }),
  label: z.string({ error: '"label" must be text' }).optional(),
  origin: z.string({ error: '"origin" must be text' }).optional(),
  spendable: z.boolean({ error: '"spendable" must be true or false' }).optional(),
});
export type Bip329Record = z.infer<typeof bip329RecordSchema>;

const TXID = /^[0-9a-fA-F]{64}$/;

function invalid(format: LabelFormat | null, where: string, problem: string, hint?: string): SpecterError {
  const what = format ? `${LABEL_FORMAT_NAMES[format]} labels` : 'labels';
  return new SpecterError('LABELS_INVALID', `The ${what}, ${where}: ${problem}.`, {
    hint: hint ?? 'Fix that entry, or export the labels again from the wallet they came from.',
    details: { where },
  });
}

/** `labels["Savings"][2]` — a JSON path as a reader would write it. */
function jsonPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  return root + path.map((p) => (typeof p === 'number' ? `[${p}]` : `[${JSON.stringify(String(p))}]`)).join('');
}

function firstIssue(error: z.ZodError): { path: ReadonlyArray<PropertyKey>; message: string } {
  const issue = error.issues[0]!;
  return { path: issue.path, message: issue.message };
}

/** Electrum's normalisation, then the wallet's label rules; `where` names the entry in errors. */
export function normaliseLabel(raw: string, format: LabelFormat | null, where: string): string | null {
  const label = raw.replace(/[\r\n\t]+/g, ' ').trim();
  if (!label) return null;
  if (label.length > MAX_LABEL_LENGTH) {
    throw invalid(
      format,
      where,
      `the label is ${label.length} characters long; the limit is ${MAX_LABEL_LENGTH}`,
      'Shorten that label, then import again.',
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this check refuses
  if (/[\u0000-\u001f\u007f]/.test(label)) throw invalid(format, where, 'the label contains control characters');
  return label;
}

function checkRef(ref: string, format: LabelFormat, where: string): string {
  const address = ref.trim();
  if (!address || /\s/.test(address) || address.length > 128) throw invalid(format, where, `"${address.slice(0, 40)}" is not an address`);
  return address;
}

/** Adds one label; the same address under two different labels is an error naming both. */
function collector(format: LabelFormat) {
  const seen = new Map<string, { label: string | null; where: string }>();
  const labels: AddressLabel[] = [];
  return {
    labels,
    add(address: string, label: string | null, where: string) {
      const before = seen.get(address);
      if (before) {
        if (before.label !== label) {
          throw invalid(
            format,
            where,
            `address ${address} gets the label ${JSON.stringify(label ?? '')}, but ${before.where} gives it ${JSON.stringify(before.label ?? '')}`,
            'Keep one label per address.',
          );
        }
        return;
      }
      seen.set(address, { label, where });
      labels.push({ address, label });
    },
  };
}

/** The `labels` object of a Specter export or backup. Empty labels are skipped (Specter's rule). */
export function fromSpecterLabels(value: unknown, root = 'labels'): AddressLabel[] {
  const parsed = specterLabelsSchema.safeParse(value);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw invalid('specter', jsonPath(root, path), message);
  }
  const out = collector('specter');
  for (const [rawLabel, addresses] of Object.entries(parsed.data)) {
    const label = normaliseLabel(rawLabel, 'specter', jsonPath(root, [rawLabel]));
    if (label === null) continue;
    for (const [i, a] of addresses.entries()) out.add(checkRef(a, 'specter', jsonPath(root, [rawLabel, i])), label, jsonPath(root, [rawLabel, i]));
  }
  return out.labels;
}

function parseSpecter(value: unknown): ParsedLabels {
  if (!specterFileSchema.safeParse(value).success) {
    // Say which part is wrong: the file's shape, or an entry inside "labels".
    const labels = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).labels : undefined;
    if (labels === undefined) throw invalid('specter', 'the file', 'must be an object with a "labels" field');
  }
  return { format: 'specter', labels: fromSpecterLabels((value as Record<string, unknown>).labels), skipped: {} };
}

function parseElectrum(value: unknown): ParsedLabels {
  const parsed = electrumSchema.safeParse(value);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw invalid('electrum', path.length ? `the entry ${jsonPath('', path)}` : 'the file', message);
  }
  const out = collector('electrum');
  let tx = 0;
  for (const [key, rawLabel] of Object.entries(parsed.data)) {
    const where = `the entry ${JSON.stringify(key.slice(0, 70))}`;
    if (TXID.test(key)) {
      tx++;
      continue;
    }
    out.add(checkRef(key, 'electrum', where), normaliseLabel(rawLabel, 'electrum', where), where);
  }
  return { format: 'electrum', labels: out.labels, skipped: tx ? { tx } : {} };
}

function parseBip329(text: string): ParsedLabels {
  const out = collector('bip329');
  const skipped: Partial<Record<string, number>> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw invalid(
        'bip329',
        where,
        `not valid JSON (${(err as Error).message})`,
        'Each line must be one JSON object such as {"type": "addr", "ref": "bc1q…", "label": "Savings"}.',
      );
    }
    const parsed = bip329RecordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid('bip329', where, issue.path.length ? issue.message : 'each line must be a JSON object with "type" and "ref"');
    }
    const r = parsed.data;
    if (r.type !== 'addr') {
      skipped[r.type] = (skipped[r.type] ?? 0) + 1;
      return;
    }
    if (r.label === undefined) return;
    out.add(checkRef(r.ref, 'bip329', where), normaliseLabel(r.label, 'bip329', where), where);
  });
  return { format: 'bip329', labels: out.labels, skipped };
}

function isBip329Object(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && (BIP329_TYPES as readonly string[]).includes(v.type) && 'ref' in v;
}

/**
 * Which format the text is in: JSON lines of `{type, ref}` → BIP-329; an object with a `labels`
 * object → Specter (an export or a whole backup); any other object → Electrum.
 */
export function detectLabelFormat(text: string): LabelFormat {
  const trimmed = text.trim();
  if (!trimmed)
    throw new SpecterError('LABELS_INVALID', 'The labels are empty.', {
      hint: 'Paste or choose a labels file exported from Specter, Electrum or a BIP-329 wallet.',
    });
  const firstLine = trimmed.split(/\r?\n/, 1)[0]!;
  let first: unknown;
  try {
    first = JSON.parse(firstLine);
  } catch {
    first = undefined;
  }
  if (isBip329Object(first)) return 'bip329';
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch (err) {
    throw new SpecterError('LABELS_INVALID', `The labels are not valid JSON (${(err as Error).message}), nor BIP-329 JSON lines.`, {
      hint: 'Use a Specter or Electrum labels export (one JSON object) or a BIP-329 file (one JSON object per line).',
    });
  }
  if (!whole || typeof whole !== 'object' || Array.isArray(whole)) {
    throw new SpecterError('LABELS_INVALID', 'The labels must be a JSON object (Specter or Electrum) or JSON lines (BIP-329).', {
      hint: 'Export the labels again from the wallet they came from.',
    });
  }
  const labels = (whole as Record<string, unknown>).labels;
  return labels && typeof labels === 'object' && !Array.isArray(labels) ? 'specter' : 'electrum';
}

/** Parse a labels file; the format is detected unless given. */
export function parseLabels(text: string, format?: LabelFormat): ParsedLabels {
  const f = format ?? detectLabelFormat(text);
  if (f === 'bip329') return parseBip329(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(f, 'the file', `not valid JSON (${(err as Error).message})`, 'Choose the right format, or let it be detected.');
  }
  return f === 'specter' ? parseSpecter(value) : parseElectrum(value);
}

/** Specter's `{label: [addresses]}`, labels in first-seen order. Null labels are left out. */
export function toSpecterLabels(labels: readonly AddressLabel[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { address, label } of labels) {
    if (label === null) continue;
    (out[label] ??= []).push(address);
  }
  return out;
}

/** The file text of an export in `format`; null labels are left out. */
export function serializeLabels(format: LabelFormat, labels: readonly AddressLabel[]): string {
  const set = labels.filter((l): l is { address: string; label: string } => l.label !== null);
  switch (format) {
    case 'specter':
      return `${JSON.stringify({ labels: toSpecterLabels(set) }, null, 2)}\n`;
    case 'electrum':
      return `${JSON.stringify(Object.fromEntries(set.map((l) => [l.address, l.label])), null, 2)}\n`;
    case 'bip329':
      return (
        set.map((l) => JSON.stringify({ type: 'addr', ref: l.address, label: l.label } satisfies Bip329Record)).join('\n') + (set.length ? '\n' : '')
      );
  }
}

/** File name extension and media type of each format's download. */
export const LABEL_FILE_TYPES: Record<LabelFormat, { ext: string; mediaType: string }> = {
  specter: { ext: 'json', mediaType: 'application/json; charset=utf-8' },
  electrum: { ext: 'json', mediaType: 'application/json; charset=utf-8' },
  bip329: { ext: 'jsonl', mediaType: 'application/jsonl; charset=utf-8' },
};

export function isLabelFormat(value: unknown): value is LabelFormat {
  return typeof value === 'string' && (LABEL_FORMATS as readonly string[]).includes(value);
}
