#!/usr/bin/env node
// Type-checks every ```ts block of docs/extensions/*.md against the public API, the way an
// extension author's code sees it: `import … from 'specter-ts'` resolves, through tsconfig "paths" as in a
// generated package, to the built declarations (dist/src/index.d.ts), so run `npm run build` first.
//
// Each block becomes its own module in a temporary folder (a block without import/export gets
// `export {}` so blocks never share a scope), then the repository's own tsc runs with --noEmit.
// Errors are reported as docs/extensions/<file>.md:<line>. ```js, ```sh, ```json, ```njk blocks
// are not checked.
//
// Usage: node scripts/check-docs.mjs [docs-folder]     exit 0 = every block compiles
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docsDir = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'extensions'));
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (!fs.existsSync(path.join(root, 'dist', 'src', 'index.d.ts'))) {
  console.error('check-docs: dist/src/index.d.ts is missing; run "npm run build" first.');
  process.exit(2);
}

/** ```ts / ```typescript blocks with the 1-based line of their first code line. */
function extractBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(\s*)(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (!open) {
      if (fence) open = { marker: fence[2], lang: fence[3].toLowerCase(), indent: fence[1].length, start: i + 2, code: [] };
      continue;
    }
    if (fence?.[2].startsWith(open.marker[0]) && fence[2].length >= open.marker.length && !fence[3]) {
      if (open.lang === 'ts' || open.lang === 'typescript') blocks.push({ line: open.start, code: open.code.join('\n') });
      open = null;
      continue;
    }
    open.code.push(open.indent ? line.replace(new RegExp(`^ {0,${open.indent}}`), '') : line);
  }
  return blocks;
}

/** Writes the blocks as modules into `dir`; returns temp file name → where it came from. */
function writeBlocks(dir, files) {
  const map = new Map();
  for (const file of files) {
    const blocks = extractBlocks(fs.readFileSync(path.join(docsDir, file), 'utf8'));
    blocks.forEach((block, i) => {
      const name = `${file.replace(/\.md$/, '').replace(/[^\w-]/g, '_')}-${String(i + 1).padStart(2, '0')}.ts`;
      const isModule = /^\s*(import|export)\s/m.test(block.code);
      fs.writeFileSync(path.join(dir, name), isModule ? `${block.code}\n` : `${block.code}\nexport {};\n`);
      map.set(name, { doc: path.relative(root, path.join(docsDir, file)), line: block.line });
    });
  }
  return map;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM'],
    types: ['node'],
    strict: true,
    noImplicitOverride: true,
    skipLibCheck: true,
    noEmit: true,
    paths: {
      'specter-ts': [path.join(root, 'dist', 'src', 'index.d.ts')],
      'specter-ts/testing': [path.join(root, 'dist', 'src', 'testing', 'index.d.ts')],
    },
  },
  include: ['*.ts'],
};

function check() {
  const files = fs
    .readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .sort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'specter-docs-'));
  try {
    // node_modules → the repo's (@types/node and the core's dependencies' types).
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'docs-check', private: true, type: 'module' }));
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    const map = writeBlocks(tmp, files);
    if (map.size === 0) {
      console.error(`check-docs: no ts blocks in ${path.relative(root, docsDir)}.`);
      return 2;
    }
    const run = spawnSync(process.execPath, [tsc, '-p', path.join(tmp, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
    if (run.status === 0) {
      console.log(`check-docs: ${map.size} ts blocks in ${files.length} files compile.`);
      return 0;
    }
    // "docs-01.ts(12,5): error TS2339: …" → "docs/extensions/x.md:40:5: error TS2339: …"
    let errors = 0;
    for (const line of `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n')) {
      const m = /^(?:.*[\\/])?([\w-]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
      if (m && map.has(m[1])) {
        const where = map.get(m[1]);
        console.error(`${where.doc}:${where.line + Number(m[2]) - 1}:${m[3]}: ${m[4]}`);
        errors++;
      } else if (line.trim()) console.error(line);
    }
    console.error(`check-docs: ${errors} error(s) in ${map.size} ts blocks.`);
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = check();
