// Compiles every built-in extension under extensions/ into its own dist/ (each is shaped like an
// external npm package and builds on its own), with one `tsc -b` call for speed.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'extensions');
const projects = fs
  .readdirSync(dir)
  .map((name) => path.join(dir, name, 'tsconfig.json'))
  .filter((file) => fs.existsSync(file));
if (projects.length) {
  execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b', ...projects], { stdio: 'inherit', cwd: root });
}
