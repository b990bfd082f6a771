import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { repoRoot } from '../../../helpers/files.js';

export const REPO_ROOT = repoRoot();

export async function tempDir(prefix = 'specter-devkit-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

/** A writable that keeps what was written. */
export function capture(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { text(): string };
  stream.text = () => chunks.join('');
  return stream;
}

/** Piped answers, as `printf 'a\nb\n' | specter ext gen` would give them. */
export function answers(...lines: string[]): PassThrough {
  const input = new PassThrough();
  input.end(lines.map((l) => `${l}\n`).join(''));
  return input;
}

/** Every file under `dir` (relative, "/"-separated), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}
