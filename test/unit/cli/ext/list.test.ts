import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatStatusTable, listExtensions, runExtList } from '../../../../src/cli/ext/list.js';
import type { ExtensionStatusInfo } from '../../../../src/extensions/index.js';
import { capture, REPO_ROOT, tempDir } from './_helpers.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const row = (over: Partial<ExtensionStatusInfo>): ExtensionStatusInfo => ({
  id: 'hello',
  name: 'Hello',
  version: '1.2.0',
  source: 'list',
  path: '/x',
  devstatus: 'prod',
  status: 'loaded',
  reason: '',
  tripped: null,
  errorCount: 0,
  signer: null,
  ...over,
});

describe('ext list', () => {
  it('formats one aligned row per extension, the reason last', () => {
    const text = formatStatusTable([
      row({}),
      row({
        id: null,
        name: 'specterext-broken',
        version: null,
        devstatus: null,
        status: 'failed',
        reason: 'field "devstatus" is "gamma"; use alpha, beta or prod.',
      }),
      row({ id: 'flaky', name: 'Flaky', status: 'loaded', tripped: { at: new Date(0), reason: 'too many errors' }, errorCount: 5 }),
      row({ id: 'duck', name: 'Duck', source: 'plugins', signer: 'alice' }),
      row({ id: 'notes', name: 'Notes', source: 'builtin' }),
    ]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+NAME\s+VERSION\s+SOURCE\s+DEVSTATUS\s+SIGNATURE\s+STATUS\s+REASON$/);
    assert.match(lines[1]!, /^hello\s+Hello\s+1\.2\.0\s+list\s+prod\s+unsigned\s+loaded$/);
    assert.match(lines[2]!, /^-\s+specterext-broken\s+-\s+list\s+-\s+unsigned\s+failed\s+field "devstatus" is "gamma"/);
    assert.match(lines[3]!, /loaded \(switched off\)\s+switched off after 5 errors/);
    assert.match(lines[4]!, /^duck\s+Duck\s+1\.2\.0\s+plugins\s+prod\s+signed by alice\s+loaded$/);
    assert.match(lines[5]!, /^notes\s+Notes\s+1\.2\.0\s+builtin\s+prod\s+built in\s+loaded$/);
    // Columns line up.
    assert.equal(lines[0]!.indexOf(' STATUS ') + 1, lines[1]!.indexOf('loaded'));
    assert.equal(formatStatusTable([]), 'No extensions found.\n');
  });

  it('loads the extensions as the server would, without HTTP', async () => {
    const data = await tempDir();
    dirs.push(data);
    const hello = path.join(REPO_ROOT, 'test', 'fixtures', 'extensions', 'hello');
    const rows = await listExtensions({ dataFolder: data, extension: [hello, path.join(data, 'nope')], config: 'TestConfig' }, { env: {} });
    const byPath = new Map(rows.map((r) => [r.path, r]));
    assert.equal(byPath.get(hello)?.status, 'loaded');
    assert.equal(byPath.get(path.join(data, 'nope'))?.status, 'failed');
    assert.match(byPath.get(path.join(data, 'nope'))!.reason, /is not a folder/);
    assert.ok(
      rows.some((r) => r.source === 'builtin'),
      'the built-in extensions are listed too',
    );
  });

  it('--json prints the statuses; a bad config is an error, not a stack trace', async () => {
    const data = await tempDir();
    dirs.push(data);
    const out = capture();
    assert.equal(await runExtList({ dataFolder: data, json: true, config: 'TestConfig' }, { output: out, env: {} }), 0);
    const rows = JSON.parse(out.text()) as ExtensionStatusInfo[];
    assert.ok(Array.isArray(rows) && rows.every((r) => typeof r.status === 'string'));

    const err = capture();
    assert.equal(await runExtList({ dataFolder: data, config: 'NoSuchConfig' }, { output: capture(), errorOutput: err, env: {} }), 1);
    assert.match(err.text(), /specter ext list: Unknown config "NoSuchConfig"\.\n {2}Use one of: /);
  });
});
