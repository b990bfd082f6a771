import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { catalogue, type ErrorKey, SpecterError } from '../../../src/errors/index.js';
import { repoRoot } from '../../helpers/files.js';

/**
 * The released codes and their HTTP statuses. Scripts and extensions rely on both, so changing the
 * catalogue means changing this table on purpose (and docs/errors.md with it).
 */
const STATUS: Record<ErrorKey, number> = {
  INTERNAL: 500,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  VALIDATION: 400,
  TIMEOUT: 503,
  DATA_FILE_CORRUPT: 500,
  DATA_FILE_WRITE: 500,
  DATA_FILE_READ: 500,
  CRYPTO_INVALID_TOKEN: 500,
  CRYPTO_BAD_KEY: 500,
  ENCRYPTED_STORAGE_VERSION: 500,
  CONFIG_INVALID: 500,
  CONFIG_KEY_OVERRIDE: 409,
  AUTH_REQUIRED: 401,
  AUTH_FAILED: 401,
  AUTH_FORBIDDEN: 403,
  CSRF_INVALID: 403,
  HOST_FORBIDDEN: 403,
  RATE_LIMITED: 429,
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  USER_INVALID: 400,
  USER_SECRET_LOCKED: 401,
  USER_SECRET_UNAVAILABLE: 409,
  KEY_INVALID: 400,
  KEY_NETWORK_MISMATCH: 400,
  KEY_ORIGIN_INVALID: 400,
  DESCRIPTOR_INVALID: 400,
  DESCRIPTOR_CHECKSUM: 400,
  DESCRIPTOR_POLICY: 400,
  PSBT_CORRUPT: 400,
  EXT_MANIFEST_INVALID: 500,
  EXT_DUPLICATE_ID: 409,
  EXT_INCOMPATIBLE: 500,
  EXT_MISSING_DEPENDENCY: 500,
  EXT_DEPENDENCY_CYCLE: 500,
  EXT_LOAD_FAILED: 500,
  EXT_NOT_FOUND: 404,
  EXT_SWITCHED_OFF: 503,
  EXT_TEMPLATE_MISSING: 500,
  EXT_UNKNOWN_CALLBACK: 500,
  EXT_BLUEPRINT_INVALID: 500,
  EXT_STORAGE: 500,
  EXT_NO_USER: 500,
  EXT_CALLBACK_CONFLICT: 409,
  EXT_JOB_INVALID: 500,
  EXT_ENDPOINT_UNKNOWN: 500,
  EXT_ENDPOINT_CONFLICT: 409,
  EXT_CAPABILITY_MISSING: 403,
  EXT_ACCESS_DENIED: 403,
  EXT_MIGRATION_FAILED: 500,
  EXT_PACKAGE_NOT_FOUND: 404,
  EXT_REGISTRY_UNREACHABLE: 503,
  EXT_INSTALL_FAILED: 500,
  EXT_NOT_AN_EXTENSION: 400,
  EXT_ALREADY_INSTALLED: 409,
  EXT_INTEGRITY: 500,
  EXT_SIGNATURE_INVALID: 400,
  EXT_SIGNING_KEY: 400,
  EXT_INSTALL_BUSY: 409,
  DEVICE_INVALID: 400,
  DEVICE_EXISTS: 409,
  DEVICE_NOT_FOUND: 404,
  DEVICE_TYPE_EXISTS: 409,
  DEVICE_KEY_NOT_FOUND: 404,
  WALLET_INVALID: 400,
  WALLET_EXISTS: 409,
  WALLET_NOT_FOUND: 404,
  ADDRESS_NOT_FOUND: 404,
  LIMIT_EXCEEDED: 400,
  LABELS_INVALID: 400,
  INPUT_TOO_LONG: 400,
  WALLET_DUPLICATE: 409,
  DEVICE_KEY_EXISTS: 409,
  CONFIG_AUTH_UNSET: 500,
  KDF_UNAVAILABLE: 503,
  API_TOKEN_NOT_FOUND: 404,
  API_TOKEN_INVALID: 400,
  NODE_INVALID: 400,
  NODE_EXISTS: 409,
  NODE_NOT_FOUND: 404,
  NODE_NONE: 409,
  NODE_CONF_INVALID: 400,
  NODE_UNREACHABLE: 502,
  NODE_TIMEOUT: 504,
  NODE_AUTH_FAILED: 502,
  NODE_WARMING_UP: 503,
  NODE_BUSY: 503,
  NODE_WALLETS_DISABLED: 409,
  NODE_VERSION_TOO_OLD: 409,
  NODE_CHAIN_MISMATCH: 409,
  UTXO_NOT_FOUND: 404,
  RESCAN_RUNNING: 409,
  RPC_ERROR: 502,
  RPC_BAD_RESPONSE: 502,
  RPC_WALLET_NOT_LOADED: 409,
  PSBT_INVALID_ADDRESS: 400,
  PSBT_WRONG_NETWORK: 400,
  PSBT_INSUFFICIENT_FUNDS: 409,
  PSBT_TOO_MANY_INPUTS: 409,
  PSBT_DUST: 400,
  PSBT_FEE_RATE: 400,
  PSBT_NOT_THIS_WALLET: 409,
  PSBT_ALREADY_BROADCAST: 409,
  PSBT_REJECTED: 409,
  PSBT_NOT_FOUND: 404,
  NET_HOST_NOT_ALLOWED: 403,
  NET_TOR_REQUIRED: 409,
  NET_PROXY_UNAVAILABLE: 502,
  NET_REQUEST_FAILED: 502,
  NET_TIMEOUT: 504,
  TOR_NOT_INSTALLED: 409,
  TOR_START_FAILED: 502,
  TOR_CONTROL_UNREACHABLE: 502,
  TOR_CONTROL_AUTH_FAILED: 502,
  TOR_CONTROL_ERROR: 502,
  TOR_HIDDEN_SERVICE_REFUSED: 409,
  PRICE_PROVIDER_UNKNOWN: 409,
  PRICE_PROVIDER_TIMEOUT: 504,
  PRICE_ANSWER_INVALID: 502,
};

const keys = Object.keys(catalogue) as ErrorKey[];

interface DocRow {
  status: number;
  description: string;
  solution: string;
}

/** The rows of every table in docs/errors.md, by code; every table must have the four columns. */
function readDocs(): { rows: Map<string, DocRow>; mentioned: Set<string> } {
  const text = fs.readFileSync(path.join(repoRoot(), 'docs', 'errors.md'), 'utf8');
  const rows = new Map<string, DocRow>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith('|') || line.startsWith('|---')) return;
    const cells = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    if (cells[0] === 'Code') {
      assert.deepEqual(cells, ['Code', 'Status', 'Description', 'Solution'], `docs/errors.md:${i + 1}: table header`);
      return;
    }
    assert.equal(cells.length, 4, `docs/errors.md:${i + 1}: a row has Code, Status, Description and Solution`);
    const code = /^`(SPECTER_ERR_[A-Z0-9_]+)`$/.exec(cells[0]!)?.[1];
    assert.ok(code, `docs/errors.md:${i + 1}: the first cell is a code in backticks`);
    assert.ok(!rows.has(code), `docs/errors.md:${i + 1}: ${code} is listed twice`);
    rows.set(code, { status: Number(cells[1]), description: cells[2]!, solution: cells[3]! });
  });
  return { rows, mentioned: new Set(text.match(/SPECTER_ERR_[A-Z0-9_]+/g) ?? []) };
}

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.split(path.sep).includes('node_modules') && !f.split(path.sep).includes('dist'))
    .map((f) => path.join(dir, f));
}

describe('error catalogue', () => {
  it(`holds exactly the ${Object.keys(STATUS).length} released codes with their HTTP statuses`, () => {
    assert.equal(keys.length, 120);
    assert.deepEqual(Object.fromEntries(keys.map((k) => [k, catalogue[k].status])), STATUS);
  });

  it('every key is its code: SpecterError(key) carries key, SPECTER_ERR_<key> and the status', () => {
    for (const key of keys) {
      assert.match(key, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, key);
      const err = new SpecterError(key, 'message', { hint: 'hint' });
      assert.equal(err.key, key);
      assert.equal(err.code, `SPECTER_ERR_${key}`);
      assert.equal(err.status, STATUS[key], key);
      assert.equal(err.toJSON().code, err.code);
      assert.match(catalogue[key].summary, /^\S.*\.$/, `${key}: a one-line summary ending with a full stop`);
    }
  });

  it('conflicts answer 409 and every status is one the server uses', () => {
    for (const key of keys) {
      if (/_EXISTS$|_CONFLICT$|_DUPLICATE_|_OVERRIDE$/.test(key)) assert.equal(catalogue[key].status, 409, `${key} is a conflict`);
      assert.ok([400, 401, 403, 404, 409, 429, 500, 502, 503, 504].includes(catalogue[key].status), `${key}: status ${catalogue[key].status}`);
    }
  });

  it('docs/errors.md lists every code with its status, a description and a solution, and no other code', () => {
    const { rows, mentioned } = readDocs();
    for (const key of keys) {
      const row = rows.get(`SPECTER_ERR_${key}`);
      assert.ok(row, `docs/errors.md has no row for SPECTER_ERR_${key}`);
      assert.equal(row.status, STATUS[key], `docs/errors.md: status of SPECTER_ERR_${key}`);
      assert.ok(row.description.length >= 20, `docs/errors.md: SPECTER_ERR_${key} needs a description`);
      assert.ok(row.solution.length >= 10, `docs/errors.md: SPECTER_ERR_${key} needs a solution`);
    }
    const known = new Set(keys.map((k) => `SPECTER_ERR_${k}`));
    for (const code of mentioned) assert.ok(known.has(code), `docs/errors.md names ${code}, which is not in the catalogue`);
    assert.equal(rows.size, keys.length);
  });

  it('codes written out as strings in the sources are catalogue codes', () => {
    const root = repoRoot();
    const files = [...sourceFiles(path.join(root, 'src')), ...sourceFiles(path.join(root, 'extensions'))];
    assert.ok(files.length > 50, 'the sources were found');
    const known = new Set(keys.map((k) => `SPECTER_ERR_${k}`));
    for (const file of files) {
      for (const code of fs.readFileSync(file, 'utf8').match(/SPECTER_ERR_[A-Z0-9_]*[A-Z0-9]/g) ?? []) {
        assert.ok(known.has(code), `${path.relative(root, file)} uses ${code}, which is not in the catalogue`);
      }
    }
  });
});
