import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpecterError } from '../errors/index.js';

/**
 * Module paths in a manifest (`main`, `blueprintModule(s)`, `configModule`, `devices`, `nodes`) are
 * paths relative to the package folder, like `main` in package.json ("./dist/controller.js" and
 * "dist/controller.js" mean the same). One rule for both declaration styles, no bare specifiers:
 * an extension's own modules live in its own package.
 */
export function resolveModulePath(packageDir: string, spec: string): string {
  return path.resolve(packageDir, spec);
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Imports an ES module (or CommonJS) by absolute path via a file URL. A missing file is reported
 * as such, not as a bare ERR_MODULE_NOT_FOUND; any other error propagates with its own message.
 *
 * `fresh` (a package version or hash) becomes the URL's query string: Node caches modules by URL
 * for the life of the process, so a plugin updated in place is only re-read under a new URL. The
 * old module stays in memory (ESM has no unload); only its own modules' dependencies imported by
 * relative path are shared with the old copy, as their URLs carry no query.
 */
export async function importModule(file: string, what: string, fresh?: string): Promise<Record<string, unknown>> {
  if (!(await fileExists(file))) {
    throw new SpecterError('EXT_LOAD_FAILED', `${what} ${file} does not exist.`, {
      hint: 'Check the path (relative to the package folder) and that the extension is built.',
      details: { file },
    });
  }
  const url = pathToFileURL(file);
  if (fresh) url.search = `v=${encodeURIComponent(fresh)}`;
  return (await import(url.href)) as Record<string, unknown>;
}

/** The package's entry module: `specterExtension.main`, else package.json `main`, else a string `exports`. */
export function packageMain(packageJson: Record<string, unknown>, manifestMain: string | undefined): string | undefined {
  if (manifestMain) return manifestMain;
  if (typeof packageJson.main === 'string' && packageJson.main) return packageJson.main;
  const exp = packageJson.exports;
  if (typeof exp === 'string') return exp;
  if (exp && typeof exp === 'object') {
    const dot = (exp as Record<string, unknown>)['.'];
    if (typeof dot === 'string') return dot;
    if (dot && typeof dot === 'object') {
      const d = dot as Record<string, unknown>;
      for (const cond of ['import', 'default', 'node']) if (typeof d[cond] === 'string') return d[cond] as string;
    }
  }
  return undefined;
}

/** Human text for an unknown thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof SpecterError) return err.fullMessage;
  if (err instanceof Error) return err.message;
  return String(err);
}
