import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { addViewFilters } from './view-filters.js';

/**
 * The nunjucks environment: core templates first, then each extension's templates folder (so
 * `extends "base.njk"` and `include "components/…"` reach the core, while extensions keep their
 * files under `templates/<id>/…` as the seed's convention). Autoescape is always on.
 */
export interface ViewEnvironmentOptions {
  searchPaths: string[];
  noCache: boolean;
}

export function createViewEnvironment(options: ViewEnvironmentOptions): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(options.searchPaths, { noCache: options.noCache, watch: false });
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  addJinjaCompat(env);
  addViewFilters(env);
  return env;
}

/**
 * The gaps between Jinja2 and nunjucks that Specter-style templates trip over
 * (library-choices.md §4): `tojson`, `_()` and a global `replace` that replaces every match.
 */
function addJinjaCompat(env: nunjucks.Environment): void {
  env.addFilter(
    'tojson',
    (value: unknown) =>
      new nunjucks.runtime.SafeString(
        JSON.stringify(value ?? null)
          .replace(/</g, '\\u003c')
          .replace(/>/g, '\\u003e')
          .replace(/&/g, '\\u0026'),
      ),
  );
  env.addFilter('replace_all', (value: string, from: string, to: string) => String(value).split(from).join(to));
  // Translation hook: identity until translations exist, but templates already mark strings.
  env.addGlobal('_', (text: string, params?: Record<string, unknown>) =>
    params ? text.replace(/%\((\w+)\)s/g, (_m, k: string) => String(params[k] ?? '')) : text,
  );
}

interface LoaderInternals {
  searchPaths: string[];
  /** Compiled templates by name (nunjucks' own cache, filled when noCache is off). */
  cache?: Record<string, { path?: string } | null>;
  /** Full path → name of every template read so far. */
  pathsToNames?: Record<string, string>;
}

function fileLoader(env: nunjucks.Environment): LoaderInternals | undefined {
  return (env as unknown as { loaders: LoaderInternals[] }).loaders[0];
}

export function addSearchPath(env: nunjucks.Environment, dir: string): void {
  // FileSystemLoader keeps its paths in `searchPaths`; nunjucks has no public API to add one later.
  const loader = fileLoader(env);
  if (loader && !loader.searchPaths.includes(dir)) loader.searchPaths.push(dir);
}

/**
 * Takes an extension's templates folder out of the search path (it was unloaded) and forgets what
 * nunjucks compiled or remembered from it, so neither a stale page nor the memory stays behind; a
 * plugin updated in place is read again.
 */
export function removeSearchPath(env: nunjucks.Environment, dir: string): void {
  const loader = fileLoader(env);
  if (!loader) return;
  const i = loader.searchPaths.indexOf(dir);
  if (i >= 0) loader.searchPaths.splice(i, 1);
  const under = (p: string | undefined) => !!p && (p === dir || p.startsWith(dir + path.sep));
  for (const [name, tmpl] of Object.entries(loader.cache ?? {})) if (under(tmpl?.path)) delete loader.cache![name];
  for (const full of Object.keys(loader.pathsToNames ?? {})) if (under(full)) delete loader.pathsToNames![full];
}

/**
 * Compiles every core template once, before the server listens: nunjucks otherwise compiles a
 * template (and base.njk with the components it includes) on its first render, which made the
 * first page after a start ~90 ms slower. Nothing to do when templates are not cached.
 */
export async function warmViewEnvironment(env: nunjucks.Environment, root: string): Promise<number> {
  const names = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.njk'));
  for (const name of names) env.getTemplate(name.split(path.sep).join('/'), true);
  return names.length;
}

let htmlBytesCount = 0;
/**
 * What a template outputs in place of an HtmlBytes: `MARK<id>\u0000`. The process's random part
 * keeps text a user typed (a search echoed in the page) from ever standing for one.
 */
const MARK = `\u0000html-bytes-${randomUUID()}-`;

/**
 * HTML rendered once and shown on many views (the History's rows), kept as UTF-8 bytes. Put it at
 * the top level of a page's context and output it with `{{ name }}`: the page is then sent with
 * these bytes as they are (pageBytes), instead of being copied into the page's string and encoded
 * again on every view — a page string is flattened and encoded whole, and the History's rows were
 * most of its page.
 */
export class HtmlBytes extends nunjucks.runtime.SafeString {
  readonly id: string;
  readonly bytes: Buffer;

  constructor(html: string) {
    const id = String(++htmlBytesCount);
    super(`${MARK}${id}\u0000`);
    this.id = id;
    this.bytes = Buffer.from(html);
  }
}

/** A rendered page as the bytes to send: the HtmlBytes of the page's context where the template put them. */
export function pageBytes(html: string, context: Readonly<Record<string, unknown>>): Buffer {
  let pieces: Map<string, Buffer> | undefined;
  for (const value of Object.values(context)) if (value instanceof HtmlBytes) (pieces ??= new Map()).set(value.id, value.bytes);
  let at = pieces ? html.indexOf(MARK) : -1;
  if (!pieces || at < 0) return Buffer.from(html);
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    const end = html.indexOf('\u0000', at + MARK.length);
    if (end < 0) break;
    const bytes = pieces.get(html.slice(at + MARK.length, end));
    if (bytes) {
      parts.push(Buffer.from(html.slice(from, at)), bytes);
      from = end + 1;
    }
    at = html.indexOf(MARK, end + 1);
  }
  parts.push(Buffer.from(html.slice(from)));
  return Buffer.concat(parts);
}
