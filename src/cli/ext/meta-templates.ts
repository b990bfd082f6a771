import path from 'node:path';
import nunjucks from 'nunjucks';
import { PACKAGE_ROOT } from '../../version.js';
import { camelcase, snakecase } from './naming.js';

/** `generator-templates/extension/` inside the Specter TS package (works offline). */
export const GENERATOR_TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'generator-templates', 'extension');

/**
 * What the templates see as `ext`. Keys are snake_case like Specter's generator context
 * (`ext.id`, `ext.isolated_client`, …).
 */
export interface GenContext {
  id: string;
  /** npm scope without "@", or "" for an unscoped package. */
  org: string;
  package_name: string;
  /** Display name, e.g. "Rubber Duck". */
  name: string;
  /** Class-name stem, e.g. "RubberDuck". */
  camel: string;
  /** Config-key stem, e.g. "RUBBER_DUCK". */
  upper: string;
  desc: string;
  isolated_client: boolean;
  encrypt_data: boolean;
  device: { name: string; snake: string; type: string } | null;
  author: string;
  author_email: string;
  /** `Name <email>` or `Name`, for package.json. */
  author_field: string;
  /** The running Specter TS version. */
  version: string;
  /** Manifest `engines` and the peer range, `>=<version>`. */
  engines: string;
  typescript_version: string;
  types_node_version: string;
  node_engine: string;
  /** `/spc/ext` or `/ext` (isolated client). */
  url_prefix: string;
  color: string;
  initial: string;
}

export type Condition = 'device' | 'isolated' | 'not-isolated';

export interface TemplateFile {
  /** Path inside generator-templates/extension/. */
  from: string;
  /** Output path inside the package; may use `<= ext.… =>`. */
  to: string;
  when?: Condition;
}

/**
 * Every generated file. Output paths are rendered too, so they can contain the id. `when` leaves
 * a file out: the isolated client has no settings or wallet pages (no session, hence no user).
 */
export const TEMPLATE_FILES: readonly TemplateFile[] = Object.freeze([
  { from: 'package.json.tmpl', to: 'package.json' },
  { from: 'tsconfig.json.tmpl', to: 'tsconfig.json' },
  { from: 'README.md.tmpl', to: 'README.md' },
  { from: '_gitignore.tmpl', to: '.gitignore' },
  { from: 'scripts/specter-ts.mjs.tmpl', to: 'scripts/specter-ts.mjs' },
  { from: 'src/index.ts.tmpl', to: 'src/index.ts' },
  { from: 'src/controller.ts.tmpl', to: 'src/controller.ts' },
  { from: 'src/config.ts.tmpl', to: 'src/config.ts' },
  { from: 'src/devices/device.ts.tmpl', to: 'src/devices/<= ext.device.snake =>.ts', when: 'device' },
  { from: 'templates/index.njk.tmpl', to: 'templates/<= ext.id =>/index.njk' },
  { from: 'templates/base.njk.tmpl', to: 'templates/<= ext.id =>/base.njk', when: 'not-isolated' },
  { from: 'templates/settings.njk.tmpl', to: 'templates/<= ext.id =>/settings.njk', when: 'not-isolated' },
  { from: 'templates/wallet.njk.tmpl', to: 'templates/<= ext.id =>/wallet.njk', when: 'not-isolated' },
  { from: 'templates/components/menu.njk.tmpl', to: 'templates/<= ext.id =>/components/<= ext.id =>_menu.njk', when: 'not-isolated' },
  { from: 'templates/components/tab.njk.tmpl', to: 'templates/<= ext.id =>/components/<= ext.id =>_tab.njk', when: 'not-isolated' },
  { from: 'static/css/styles.css.tmpl', to: 'static/<= ext.id =>/css/styles.css' },
  { from: 'static/img/icon.svg.tmpl', to: 'static/<= ext.id =>/img/icon.svg' },
  { from: 'static/img/logo.svg.tmpl', to: 'static/<= ext.id =>/img/logo.svg' },
  { from: 'static/img/device_icon.svg.tmpl', to: 'static/<= ext.id =>/img/device_icon.svg', when: 'device' },
  { from: 'test/ext.test.ts.tmpl', to: 'test/<= ext.id =>.test.ts' },
] satisfies TemplateFile[]);

export function applies(file: TemplateFile, ctx: GenContext): boolean {
  switch (file.when) {
    case undefined:
      return true;
    case 'device':
      return ctx.device !== null;
    case 'isolated':
      return ctx.isolated_client;
    case 'not-isolated':
      return !ctx.isolated_client;
  }
}

/**
 * A nunjucks environment with Specter's meta delimiters (`<< >>` blocks, `<= =>` values, `<# #>`
 * comments), so the generated `.njk` templates keep their own `{{ }}` and `{% %}`. No autoescape
 * (the output is code, not HTML); an undefined variable is an error, not an empty string.
 */
export function createMetaEnvironment(root = GENERATOR_TEMPLATES_DIR): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(root, { noCache: true }), {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
    tags: { blockStart: '<<', blockEnd: '>>', variableStart: '<=', variableEnd: '=>', commentStart: '<#', commentEnd: '#>' },
  });
  env.addFilter('json', (value: unknown) => JSON.stringify(value));
  // A single-quoted TypeScript string literal.
  env.addFilter('quote', (value: unknown) => `'${JSON.stringify(String(value)).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`);
  env.addFilter('camelcase', (value: string) => camelcase(String(value)));
  env.addFilter('snakecase', (value: string) => snakecase(String(value)));
  return env;
}

export interface RenderedFile {
  /** Relative, with "/" separators. */
  path: string;
  content: string;
}

/** Renders every applicable template (paths and contents) in memory; nothing is written. */
export function renderExtensionFiles(ctx: GenContext, env = createMetaEnvironment()): RenderedFile[] {
  const out: RenderedFile[] = [];
  for (const file of TEMPLATE_FILES) {
    if (!applies(file, ctx)) continue;
    const target = env.renderString(file.to, { ext: ctx });
    let content: string;
    try {
      content = env.render(file.from, { ext: ctx });
    } catch (err) {
      throw new Error(`generator template ${file.from} failed to render: ${(err as Error).message}`, { cause: err });
    }
    out.push({ path: target, content });
  }
  return out;
}
