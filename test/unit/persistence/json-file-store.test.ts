import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSpecterError } from '../../../src/errors/index.js';
import { JsonFileStore, type PersistEvent, type PersistenceLogger } from '../../../src/persistence/index.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'specter-store-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${++n}`);
  await mkdir(dir);
  return dir;
}

function recordingLogger(): PersistenceLogger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const rec = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, debug: rec('debug'), warn: rec('warn'), error: rec('error') };
}

const quiet = (): PersistenceLogger => recordingLogger();

describe('JsonFileStore read/write', () => {
  it('returns undefined for a missing file and reads back what was written', async () => {
    const dir = await freshDir();
    const store = new JsonFileStore({ logger: quiet() });
    const file = join(dir, 'a.json');
    assert.equal(await store.read(file), undefined);
    await store.write(file, { b: [1, 2], s: 'é' });
    assert.deepEqual(await store.read(file), { b: [1, 2], s: 'é' });
  });

  it('writes JSON with indent 4 (like Specter), mode 0600, and leaves no temp file', async () => {
    const dir = await freshDir();
    const store = new JsonFileStore({ logger: quiet() });
    const file = join(dir, 'a.json');
    await store.write(file, { a: 1, b: { c: true } });
    assert.equal(await readFile(file, 'utf8'), '{\n    "a": 1,\n    "b": {\n        "c": true\n    }\n}');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['a.json']);
  });

  it('keeps the previous version as .bkp', async () => {
    const dir = await freshDir();
    const store = new JsonFileStore({ logger: quiet() });
    const file = join(dir, 'a.json');
    await store.write(file, { v: 1 });
    assert.deepEqual((await readdir(dir)).sort(), ['a.json'], 'first write has nothing to back up');
    await store.write(file, { v: 2 });
    assert.deepEqual(JSON.parse(await readFile(`${file}.bkp`, 'utf8')), { v: 1 });
    await store.write(file, { v: 3 });
    assert.deepEqual(JSON.parse(await readFile(`${file}.bkp`, 'utf8')), { v: 2 });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { v: 3 });
    assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'a.json.bkp']);
  });

  it('resolves relative paths: the same file through different spellings', async () => {
    const dir = await freshDir();
    const events: PersistEvent[] = [];
    const store = new JsonFileStore({
      logger: quiet(),
      onPersist: (e) => {
        events.push(e);
      },
    });
    const rel = relative(process.cwd(), join(dir, 'sub', '..', 'r.json'));
    await store.write(rel, { ok: 1 });
    assert.deepEqual(await store.read(join(dir, 'r.json')), { ok: 1 });
    assert.equal(events[0]!.path, join(dir, 'r.json'), 'callbacks get the absolute path');
  });

  it('when the file is missing but a .bkp exists (a Specter crash), reads the .bkp without renaming it', async () => {
    const dir = await freshDir();
    const file = join(dir, 'w.json');
    await writeFile(`${file}.bkp`, '{"from": "bkp"}');
    const log = recordingLogger();
    const store = new JsonFileStore({ logger: log });
    assert.deepEqual(await store.read(file), { from: 'bkp' });
    assert.deepEqual(await readdir(dir), ['w.json.bkp']);
    assert.ok(log.lines.some((l) => l.level === 'warn'));
    // The next write creates the file and keeps the .bkp as it was.
    await store.update<{ from: string; n?: number }>(file, (cur) => ({ ...cur!, n: 1 }));
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { from: 'bkp', n: 1 });
    assert.equal(await readFile(`${file}.bkp`, 'utf8'), '{"from": "bkp"}');
  });
});

describe('JsonFileStore with a damaged file', () => {
  const garbage = '{"wallets": [1, 2,, oops';

  it('read throws DATA_FILE_CORRUPT naming the absolute path and the .bkp, and changes nothing', async () => {
    const dir = await freshDir();
    const file = join(dir, 'c.json');
    await writeFile(file, garbage);
    await writeFile(`${file}.bkp`, '{"good": true}');
    const store = new JsonFileStore({ logger: quiet() });
    const err = await store.read(file).then(
      () => assert.fail('read should throw'),
      (e: unknown) => e,
    );
    assert.ok(isSpecterError(err, 'DATA_FILE_CORRUPT'), String(err));
    assert.equal(err.code, 'SPECTER_ERR_DATA_FILE_CORRUPT');
    assert.ok(err.message.includes(file), err.message);
    assert.ok(err.hint?.includes(`${file}.bkp`), err.hint);
    assert.match(err.hint!, /previous version/);
    assert.match(err.hint!, /cp "/);
    assert.equal(await readFile(file, 'utf8'), garbage);
    assert.equal(await readFile(`${file}.bkp`, 'utf8'), '{"good": true}');
    assert.deepEqual((await readdir(dir)).sort(), ['c.json', 'c.json.bkp']);
  });

  it('the hint says when there is no .bkp, or when the .bkp is damaged too', async () => {
    const dir = await freshDir();
    const store = new JsonFileStore({ logger: quiet() });
    const file = join(dir, 'c.json');
    await writeFile(file, garbage);
    const noBkp = await store.read(file).catch((e: unknown) => e);
    assert.ok(isSpecterError(noBkp, 'DATA_FILE_CORRUPT'));
    assert.match(noBkp.hint!, /No backup/);
    await writeFile(`${file}.bkp`, garbage);
    const badBkp = await store.read(file).catch((e: unknown) => e);
    assert.ok(isSpecterError(badBkp, 'DATA_FILE_CORRUPT'));
    assert.match(badBkp.hint!, /does not parse either/);
  });

  it('treats invalid UTF-8 and an empty file as damaged', async () => {
    const dir = await freshDir();
    const store = new JsonFileStore({ logger: quiet() });
    await writeFile(join(dir, 'bad-utf8.json'), Buffer.from([0x22, 0xff, 0xfe, 0x22]));
    await writeFile(join(dir, 'empty.json'), '');
    for (const name of ['bad-utf8.json', 'empty.json']) {
      const err = await store.read(join(dir, name)).catch((e: unknown) => e);
      assert.ok(isSpecterError(err, 'DATA_FILE_CORRUPT'), `${name}: ${String(err)}`);
    }
  });

  it('update refuses to touch it: fn is not called, the file and .bkp stay byte-identical', async () => {
    const dir = await freshDir();
    const file = join(dir, 'c.json');
    await writeFile(file, garbage);
    await writeFile(`${file}.bkp`, '{"good": true}');
    let called = false;
    const events: PersistEvent[] = [];
    const store = new JsonFileStore({
      logger: quiet(),
      onPersist: (e) => {
        events.push(e);
      },
    });
    const err = await store
      .update(file, () => {
        called = true;
        return { replaced: true };
      })
      .catch((e: unknown) => e);
    assert.ok(isSpecterError(err, 'DATA_FILE_CORRUPT'));
    assert.equal(called, false);
    assert.equal(await readFile(file, 'utf8'), garbage);
    assert.equal(await readFile(`${file}.bkp`, 'utf8'), '{"good": true}');
    assert.deepEqual((await readdir(dir)).sort(), ['c.json', 'c.json.bkp']);
    assert.deepEqual(events, []);
  });

  it('an explicit write over it keeps the damaged bytes aside and does not replace the good .bkp', async () => {
    const dir = await freshDir();
    const file = join(dir, 'c.json');
    await writeFile(file, garbage);
    await writeFile(`${file}.bkp`, '{"good": true}');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { fresh: 1 });
    assert.deepEqual(await store.read(file), { fresh: 1 });
    assert.equal(await readFile(`${file}.bkp`, 'utf8'), '{"good": true}');
    const aside = (await readdir(dir)).filter((f) => f.startsWith('c.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(await readFile(join(dir, aside[0]!), 'utf8'), garbage);
  });
});

describe('JsonFileStore failures keep the old content', () => {
  it('unserialisable data: DATA_FILE_WRITE, old content and .bkp untouched, no temp file', async () => {
    const dir = await freshDir();
    const file = join(dir, 'a.json');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { v: 1 });
    await store.write(file, { v: 2 });
    for (const bad of [
      { n: 1n },
      undefined,
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ]) {
      const err = await store.write(file, bad).catch((e: unknown) => e);
      assert.ok(isSpecterError(err, 'DATA_FILE_WRITE'), String(err));
      assert.ok(err.message.includes(file));
    }
    assert.deepEqual(await store.read(file), { v: 2 });
    assert.deepEqual(JSON.parse(await readFile(`${file}.bkp`, 'utf8')), { v: 1 });
    assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'a.json.bkp']);
  });

  it('a failure half-way (the .bkp cannot be replaced) removes temp files and keeps the old content', async () => {
    const dir = await freshDir();
    const file = join(dir, 'a.json');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { v: 1 });
    await mkdir(`${file}.bkp`); // a non-empty directory: renaming a file onto it fails
    await writeFile(join(`${file}.bkp`, 'inside'), 'x');
    const err = await store.write(file, { v: 2 }).catch((e: unknown) => e);
    assert.ok(isSpecterError(err, 'DATA_FILE_WRITE'), String(err));
    assert.ok(err.message.includes(file));
    assert.deepEqual(await store.read(file), { v: 1 });
    assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'a.json.bkp']);
  });

  it('a path that is a directory: DATA_FILE_READ, nothing changed', async () => {
    const dir = await freshDir();
    const target = join(dir, 'is-a-dir.json');
    await mkdir(target);
    const store = new JsonFileStore({ logger: quiet() });
    for (const op of [() => store.read(target), () => store.write(target, { v: 1 }), () => store.update(target, () => ({ v: 1 }))]) {
      const err = await op().catch((e: unknown) => e);
      assert.ok(isSpecterError(err, 'DATA_FILE_READ'), String(err));
      assert.ok(err.message.includes(target));
    }
    assert.deepEqual(await readdir(dir), ['is-a-dir.json']);
    assert.deepEqual(await readdir(target), []);
  });

  it('update writes nothing when fn throws', async () => {
    const dir = await freshDir();
    const file = join(dir, 'a.json');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { v: 1 });
    await assert.rejects(
      store.update(file, () => {
        throw new Error('nope');
      }),
      /nope/,
    );
    await assert.rejects(
      store.update(file, async () => {
        throw new Error('async nope');
      }),
      /async nope/,
    );
    assert.deepEqual(await store.read(file), { v: 1 });
    assert.deepEqual(await readdir(dir), ['a.json']);
  });

  it('a read-only data folder gives DATA_FILE_WRITE and keeps the old content (skipped as root)', { skip: process.getuid?.() === 0 }, async () => {
    const dir = await freshDir();
    const file = join(dir, 'a.json');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { v: 1 });
    await chmod(dir, 0o500);
    try {
      const err = await store.write(file, { v: 2 }).catch((e: unknown) => e);
      assert.ok(isSpecterError(err, 'DATA_FILE_WRITE'));
    } finally {
      await chmod(dir, 0o700);
    }
    assert.deepEqual(await store.read(file), { v: 1 });
  });
});

describe('JsonFileStore update and delete', () => {
  it('update passes the current value and writes what fn returns', async () => {
    const dir = await freshDir();
    const file = join(dir, 'u.json');
    const store = new JsonFileStore({ logger: quiet() });
    const first = await store.update<{ n: number }>(file, (cur) => {
      assert.equal(cur, undefined);
      return { n: 1 };
    });
    assert.deepEqual(first, { n: 1 });
    const second = await store.update<{ n: number }>(file, async (cur) => ({ n: cur!.n + 1 }));
    assert.deepEqual(second, { n: 2 });
    assert.deepEqual(await store.read(file), { n: 2 });
    assert.deepEqual(JSON.parse(await readFile(`${file}.bkp`, 'utf8')), { n: 1 });
  });

  it('delete removes the file and its .bkp, and reports whether anything was removed', async () => {
    const dir = await freshDir();
    const file = join(dir, 'd.json');
    const store = new JsonFileStore({ logger: quiet() });
    await store.write(file, { v: 1 });
    await store.write(file, { v: 2 });
    assert.equal(await store.delete(file), true);
    assert.deepEqual(await readdir(dir), []);
    assert.equal(await store.read(file), undefined, 'no stale .bkp comes back');
    assert.equal(await store.delete(file), false);
  });
});

describe('persistence callbacks', () => {
  it('onPersist is called after each write and delete, with the mode and absolute path', async () => {
    const dir = await freshDir();
    const file = join(dir, 'p.json');
    const events: PersistEvent[] = [];
    const store = new JsonFileStore({
      logger: quiet(),
      onPersist: async (e) => {
        // The hook runs after the data is on disk and may read it (no deadlock on the file lock).
        events.push({ ...e, mode: e.mode });
        if (e.mode === 'write') assert.ok(await store.read(file));
      },
    });
    await store.write(file, { a: 1 });
    await store.update(file, () => ({ a: 2 }));
    await store.delete(file);
    await store.delete(file); // nothing to delete: no event
    assert.deepEqual(events, [
      { path: file, mode: 'write' },
      { path: file, mode: 'write' },
      { path: file, mode: 'delete' },
    ]);
  });

  it('a throwing onPersist is logged and does not fail the write', async () => {
    const dir = await freshDir();
    const file = join(dir, 'p.json');
    const log = recordingLogger();
    const store = new JsonFileStore({
      logger: log,
      onPersist: () => {
        throw new Error('hook broke');
      },
    });
    await store.write(file, { a: 1 });
    assert.deepEqual(await store.read(file), { a: 1 });
    assert.ok(log.lines.some((l) => l.level === 'error' && /onPersist/.test(l.msg ?? '')));
  });

  describe('SPECTER_PERSISTENCE_CALLBACK[_ASYNC] commands', () => {
    const saved = { sync: process.env.SPECTER_PERSISTENCE_CALLBACK, async: process.env.SPECTER_PERSISTENCE_CALLBACK_ASYNC };
    const restore = (): void => {
      for (const [k, v] of [
        ['SPECTER_PERSISTENCE_CALLBACK', saved.sync],
        ['SPECTER_PERSISTENCE_CALLBACK_ASYNC', saved.async],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    after(restore);

    async function scriptIn(dir: string): Promise<{ script: string; log: string }> {
      const script = join(dir, 'cb.sh');
      const log = join(dir, 'cb.log');
      await writeFile(script, `#!/bin/sh\necho "$@" >> "${log}"\n`);
      return { script, log };
    }

    it('the sync command gets [args…, mode, path] and has run when write resolves', async () => {
      const dir = await freshDir();
      const { script, log } = await scriptIn(dir);
      delete process.env.SPECTER_PERSISTENCE_CALLBACK_ASYNC;
      process.env.SPECTER_PERSISTENCE_CALLBACK = `/bin/sh ${script} extra-arg`;
      try {
        const file = join(dir, 'data', 'x.json');
        const store = new JsonFileStore({ logger: quiet() });
        await store.write(file, { a: 1 });
        await store.delete(file);
        assert.equal(await readFile(log, 'utf8'), `extra-arg write ${file}\nextra-arg delete ${file}\n`);
      } finally {
        restore();
      }
    });

    it('the async command is started without being awaited and takes precedence', async () => {
      const dir = await freshDir();
      const { script, log } = await scriptIn(dir);
      process.env.SPECTER_PERSISTENCE_CALLBACK_ASYNC = `/bin/sh ${script}`;
      process.env.SPECTER_PERSISTENCE_CALLBACK = `/bin/sh ${script} SYNC-SHOULD-NOT-RUN`;
      try {
        const file = join(dir, 'y.json');
        await new JsonFileStore({ logger: quiet() }).write(file, { a: 1 });
        let text = '';
        for (let i = 0; i < 200 && !text; i++) {
          await new Promise((r) => setTimeout(r, 20));
          text = await readFile(log, 'utf8').catch(() => '');
        }
        assert.equal(text, `write ${file}\n`);
      } finally {
        restore();
      }
    });

    it('a failing command is logged, never thrown', async () => {
      const dir = await freshDir();
      process.env.SPECTER_PERSISTENCE_CALLBACK = join(dir, 'no-such-command');
      delete process.env.SPECTER_PERSISTENCE_CALLBACK_ASYNC;
      try {
        const log = recordingLogger();
        const file = join(dir, 'z.json');
        await new JsonFileStore({ logger: log }).write(file, { a: 1 });
        assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { a: 1 });
        assert.ok(
          log.lines.some((l) => l.level === 'error' && /command failed/.test(l.msg ?? '')),
          JSON.stringify(log.lines),
        );
      } finally {
        restore();
      }
    });
  });
});
