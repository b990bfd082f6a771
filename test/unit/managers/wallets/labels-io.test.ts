import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSpecterError } from '../../../../src/errors/index.js';
import {
  detectLabelFormat,
  fromSpecterLabels,
  parseLabels,
  serializeLabels,
  toSpecterLabels,
  type AddressLabel,
  type LabelFormat,
} from '../../../../src/managers/wallets/labels-io.js';

const A = 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu';
const B = 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g';
const C = 'bc1qp59yckz4ae5c4efgw2s5wfyvrz0ala7rgvuz8z';
const TXID = 'f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd';

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSpecterError(err, 'LABELS_INVALID'), `expected LABELS_INVALID, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('each format round-trips: serialize → detect → parse gives the same labels', () => {
  const labels: AddressLabel[] = [
    { address: A, label: 'Savings' },
    { address: B, label: 'Savings' },
    { address: C, label: 'Rent "März" ✓' },
  ];
  for (const format of ['specter', 'electrum', 'bip329'] as LabelFormat[]) {
    const text = serializeLabels(format, labels);
    assert.equal(detectLabelFormat(text), format, format);
    const parsed = parseLabels(text);
    assert.equal(parsed.format, format);
    assert.deepEqual(parsed.labels, labels, format);
    assert.deepEqual(parsed.skipped, {});
  }
});

test('the serialised shapes are the three formats exactly', () => {
  const labels = [
    { address: A, label: 'Savings' },
    { address: B, label: 'Savings' },
    { address: C, label: null },
  ];
  assert.deepEqual(JSON.parse(serializeLabels('specter', labels)), { labels: { Savings: [A, B] } });
  assert.deepEqual(JSON.parse(serializeLabels('electrum', labels)), { [A]: 'Savings', [B]: 'Savings' });
  const lines = serializeLabels('bip329', labels)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { type: 'addr', ref: A, label: 'Savings' },
    { type: 'addr', ref: B, label: 'Savings' },
  ]);
  assert.equal(serializeLabels('bip329', []), '', 'no labels: an empty file');
});

test('detection: a whole Specter backup is Specter; a one-line BIP-329 file is not mistaken for Electrum', () => {
  assert.equal(detectLabelFormat(JSON.stringify({ label: 'W', descriptor: 'wpkh(…)', labels: { X: [A] } })), 'specter');
  assert.equal(detectLabelFormat(JSON.stringify({ type: 'addr', ref: A, label: 'x' })), 'bip329');
  assert.equal(detectLabelFormat(JSON.stringify({ [A]: 'x' })), 'electrum');
  assert.equal(detectLabelFormat('{}'), 'electrum');
  refused(() => detectLabelFormat('   '), /empty/);
  refused(() => detectLabelFormat('[1, 2]'), /must be a JSON object/);
  refused(() => detectLabelFormat('address,label\nbc1q,x'), /not valid JSON/);
});

test('BIP-329: only addr records apply; others are counted; a missing label leaves the address alone', () => {
  const text = [
    JSON.stringify({ type: 'tx', ref: TXID, label: 'Rent', origin: "wpkh([d34db33f/84'/0'/0'])" }),
    JSON.stringify({ type: 'addr', ref: A, label: 'Savings' }),
    '',
    JSON.stringify({ type: 'output', ref: `${TXID}:1`, label: 'coinjoin', spendable: false }),
    JSON.stringify({ type: 'tx', ref: TXID.replace('f', 'e'), label: 'Other' }),
    JSON.stringify({ type: 'addr', ref: B }),
    JSON.stringify({ type: 'addr', ref: C, label: '', extra_field: 1 }),
    JSON.stringify({ type: 'xpub', ref: 'xpub661MyMwAqRbcF', label: 'acct' }),
  ].join('\r\n');
  const parsed = parseLabels(text);
  assert.equal(parsed.format, 'bip329');
  assert.deepEqual(parsed.labels, [
    { address: A, label: 'Savings' },
    { address: C, label: null },
  ]);
  assert.deepEqual(parsed.skipped, { tx: 2, output: 1, xpub: 1 });
});

test('Electrum: txid keys are skipped with a count, an empty label clears, line breaks become spaces', () => {
  const parsed = parseLabels(JSON.stringify({ [A]: 'Line one\nline two\t', [TXID]: 'Rent', [B]: '' }));
  assert.deepEqual(parsed.labels, [
    { address: A, label: 'Line one line two' },
    { address: B, label: null },
  ]);
  assert.deepEqual(parsed.skipped, { tx: 1 });
});

test('Specter: an empty label is skipped (as Specter does); the labels of a backup are read by fromSpecterLabels', () => {
  assert.deepEqual(parseLabels(JSON.stringify({ labels: { '': [A], ' Savings ': [B] } })).labels, [{ address: B, label: 'Savings' }]);
  assert.deepEqual(fromSpecterLabels({ X: [A, B] }), [
    { address: A, label: 'X' },
    { address: B, label: 'X' },
  ]);
  assert.deepEqual(
    toSpecterLabels([
      { address: A, label: 'X' },
      { address: B, label: null },
      { address: C, label: 'X' },
    ]),
    { X: [A, C] },
  );
});

test('bad files: the error names the line or the field', () => {
  const line = (o: unknown) => JSON.stringify(o);
  refused(() => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n{"type": "addr", "ref": `), /BIP-329.*line 2: not valid JSON/);
  refused(
    () => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n${line({ type: 'address', ref: B, label: 'b' })}`),
    /line 2: "type" must be one of tx, addr/,
  );
  refused(() => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n${line({ type: 'addr', label: 'b' })}`), /line 2: "ref" must be text/);
  refused(
    () => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n${line({ type: 'addr', ref: B, label: 7 })}`),
    /line 2: "label" must be text/,
  );
  refused(() => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n[1]`, 'bip329'), /line 2: each line must be a JSON object/);
  refused(
    () => parseLabels(`${line({ type: 'addr', ref: A, label: 'x'.repeat(251) })}`),
    /line 1: the label is 251 characters long; the limit is 250/,
  );
  refused(
    () => parseLabels(`${line({ type: 'addr', ref: A, label: 'a' })}\n${line({ type: 'addr', ref: A, label: 'b' })}`),
    new RegExp(`line 2: address ${A} gets the label "b", but line 1 gives it "a"`),
  );
  refused(() => parseLabels(JSON.stringify({ labels: { Savings: [A, 42] } })), /Specter JSON labels, labels\["Savings"\]\[1\]: must be an address/);
  refused(() => parseLabels(JSON.stringify({ labels: { Savings: A } })), /labels\["Savings"\]: must be a list of addresses/);
  refused(
    () => parseLabels(JSON.stringify({ labels: { Savings: ['not an address'] } })),
    /labels\["Savings"\]\[0\]: "not an address" is not an address/,
  );
  refused(() => parseLabels(JSON.stringify({ [A]: 3 })), new RegExp(`Electrum JSON labels, the entry \\["${A}"\\]: must be a label`));
  refused(() => parseLabels(JSON.stringify({ [A]: 'ok\u0007' })), /the label contains control characters/);
  refused(() => parseLabels('{"labels": 5}', 'specter'), /labels\]?.*must be an object of label/);
  refused(() => parseLabels('{nope', 'electrum'), /Electrum JSON labels, the file: not valid JSON/);
});
