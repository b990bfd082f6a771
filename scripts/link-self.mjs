// Makes `import … from 'specter-ts'` resolve inside this repository, exactly as it does for an
// extension installed next to Specter TS: node_modules/specter-ts → the repository root.
// The built-in extensions under extensions/ import the core only this way (its public API).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const link = path.join(root, 'node_modules', 'specter-ts');
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  current = undefined;
}
if (current !== '..') {
  fs.rmSync(link, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync('..', link, 'dir');
}
