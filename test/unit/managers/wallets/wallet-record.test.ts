/**
 * parseAddressesFile skips the schema for a file already in its normal shape: whatever the path,
 * the result must be what addressesFileSchema gives, and bad files still fail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressesFileSchema, parseAddressesFile } from '../../../../src/managers/wallets/wallet-record.js';
import { isSpecterError } from '../../../../src/errors/index.js';

const entry = (index: number, extra: Record<string, unknown> = {}) => ({
  index,
  address: `bc1q${index}`,
  label: null,
  used: false,
  service_id: null,
  ...extra,
});

test("normal files and files the schema must normalise give the schema's result", () => {
  const files: unknown[] = [
    { receive: [entry(0), entry(1, { label: 'Rent', used: true, service_id: 'notes', label_auto: true })], change: [entry(0)] },
    { receive: [entry(0, { service_id: '' })], change: [] },
    { receive: [entry(0, { extra: 1 })], change: [], other: true },
    { receive: [{ index: 0, address: 'bc1q0' }], change: [] },
    { receive: [entry(0, { label_auto: true })], change: [] },
    { receive: [entry(0, { label: 7 })], change: [] },
    { receive: [], change: [], version: 2 },
  ];
  for (const file of files) {
    const expected = addressesFileSchema.parse(structuredClone(file));
    assert.deepEqual(parseAddressesFile(structuredClone(file), 'x.json'), expected, JSON.stringify(file));
  }
});

test('a gap, a wrong index or a missing address is still DATA_FILE_CORRUPT', () => {
  for (const file of [
    { receive: [entry(0), entry(2)], change: [] },
    { receive: [entry(1)], change: [] },
    { receive: [{ ...entry(0), address: '' }], change: [] },
    { receive: [entry(0)] },
  ]) {
    assert.throws(
      () => parseAddressesFile(file, 'x.json'),
      (err: unknown) => isSpecterError(err, 'DATA_FILE_CORRUPT'),
    );
  }
});
