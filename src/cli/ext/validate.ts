import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { isSpecterError } from '../../errors/index.js';
import { readPackageJson } from '../../extensions/discovery.js';
import { isExtensionClass, type ExtensionClass } from '../../extensions/extension.js';
import { finalizeManifest, mergeManifests, parseClassManifest, type ExtensionManifest, type ManifestOrigin } from '../../extensions/manifest.js';
import { formatIssues, packageManifestSchema, type PackageManifestFields } from '../../extensions/manifest-schema.js';
import { errorMessage, packageMain } from '../../extensions/module-loader.js';
import { registerSpecterResolution } from '../../extensions/specter-resolution.js';
import { findExtensionClass } from '../../extensions/package-inspector.js';
import { checkEngines } from '../../extensions/resolver.js';
import { VERSION } from '../../version.js';
import { RESERVED_IDS } from './naming.js';

/**
 * `specter ext validate [DIR]`: checks an extension package without starting Specter TS and
 * reports every problem at once, each with its fix. The manifest goes through the loader's own
 * zod schema; the rest are the layout rules the loader and the seed's conventions rely on.
 * Module paths count as present when either the built `.js` or its `src/…ts` source exists, so a
 * package can be checked before its first build.
 */
export interface ValidationIssue {
  /** Short stable tag, e.g. "manifest", "engines", "icon", "templates", "index-route". */
  check: string;
  message: string;
  fix: string;
}

export interface ValidationReport {
  dir: string;
  packageName?: string;
  version?: string;
  id?: string;
  problems: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface ValidateOptions {
  /** Running Specter TS version (default: this one). */
  appVersion?: string;
  /**
   * Import the built main module to read a class-style manifest and check the Extension export
   * (default true). It runs the package's top-level code, as loading it in Specter TS would.
   */
  importMain?: boolean;
}

/** `"devstatus" is "gamma"; use alpha…` → message and fix. */
function splitFix(sentence: string): { message: string; fix: string } {
  const i = sentence.indexOf('; ');
  if (i < 0) return { message: sentence, fix: '' };
  const fix = sentence.slice(i + 2).replace(/\.$/, '');
  return { message: `${sentence.slice(0, i)}.`, fix: `${fix[0]!.toUpperCase()}${fix.slice(1)}.` };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((e) => !e.startsWith('.')).sort();
  } catch {
    return [];
  }
}

/** A module path and the TypeScript sources it may be built from (`dist/src/x.js` ← `src/x.ts`). */
function moduleCandidates(spec: string): { built: string; sources: string[] } {
  const built = spec.replace(/^\.\//, '');
  const sources: string[] = [];
  const toTs = (p: string) => p.replace(/\.(m|c)?js$/, (_m, k: string | undefined) => `.${k ?? ''}ts`);
  if (/\.(m|c)?js$/.test(built)) {
    sources.push(toTs(built));
    const m = /^(?:dist|build|lib|out)\/(.*)$/.exec(built);
    if (m) {
      const rest = m[1]!;
      sources.push(rest.startsWith('src/') ? toTs(rest) : `src/${toTs(rest)}`, toTs(rest));
    }
  }
  return { built, sources: [...new Set(sources)] };
}

/** Where a module is: the built file, else a source file, else undefined. */
async function locateModule(dir: string, spec: string): Promise<{ file: string; built: boolean } | undefined> {
  const { built, sources } = moduleCandidates(spec);
  if (await exists(path.resolve(dir, built))) return { file: path.resolve(dir, built), built: true };
  for (const s of sources) if (await exists(path.resolve(dir, s))) return { file: path.resolve(dir, s), built: false };
  return undefined;
}

const INDEX_ROUTE = /\.get\(\s*(['"`])\/\1\s*,\s*(['"`])index\2/;
const ANY_GET = /\.get\(\s*['"`]/;

/**
 * The seed's linking rule, checked statically: the default blueprint has `GET /` named "index".
 * Returns true/false when the source says so, undefined when it cannot tell (routes added through
 * `bp.route({...})` or in a loop).
 */
export function definesIndexRoute(source: string): boolean | undefined {
  if (INDEX_ROUTE.test(source)) return true;
  if (/\.route\(/.test(source)) return undefined;
  if (ANY_GET.test(source)) return false;
  return undefined;
}

/** Fields that passed the schema, when others did not (so the layout checks can still run). */
function validPart(raw: Record<string, unknown>, badKeys: Set<string>): PackageManifestFields {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (badKeys.has(k)) continue;
    const one = packageManifestSchema.safeParse({ [k]: v });
    if (one.success) out[k] = (one.data as Record<string, unknown>)[k];
  }
  return out as PackageManifestFields;
}

/** Checks one package folder. Never throws for the package's faults. */
export async function validateExtensionPackage(dirArg: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const dir = path.resolve(dirArg);
  const appVersion = options.appVersion ?? VERSION;
  const report: ValidationReport = { dir, problems: [], warnings: [] };
  const problem = (check: string, message: string, fix: string) => void report.problems.push({ check, message, fix });
  const warn = (check: string, message: string, fix: string) => void report.warnings.push({ check, message, fix });

  if (!(await isDir(dir))) {
    problem('package', `${dir} is not a folder.`, 'Give the folder of the extension package (the one with package.json).');
    return report;
  }
  const read = await readPackageJson(dir);
  if (!read) {
    problem(
      'package',
      'There is no package.json: a Specter TS extension is an npm package.',
      'Run "specter ext gen" to start one, or "npm init" and add "specterExtension".',
    );
    return report;
  }
  if ('error' in read) {
    problem('package', read.error, 'Fix the JSON syntax of package.json.');
    return report;
  }
  const pkg = read.json;
  if (typeof pkg.name === 'string') report.packageName = pkg.name;
  if (typeof pkg.version === 'string') report.version = pkg.version;
  if (!Object.hasOwn(pkg, 'specterExtension')) {
    problem(
      'manifest',
      'package.json has no "specterExtension" key, so Specter TS does not see an extension here.',
      `Add "specterExtension": {"id": "myext", "name": "My extension", "engines": ">=${appVersion}"}.`,
    );
    return report;
  }
  const raw = pkg.specterExtension === true ? {} : pkg.specterExtension;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problem('manifest', `"specterExtension" is ${JSON.stringify(raw)}, not an object.`, 'Make it an object: {"id": …, "name": …}.');
    return report;
  }
  const rawManifest = raw as Record<string, unknown>;

  // 1. The manifest, through the loader's schema: every issue, not just the first.
  let fields: PackageManifestFields;
  const parsed = packageManifestSchema.safeParse(rawManifest);
  if (parsed.success) fields = parsed.data;
  else {
    for (const sentence of formatIssues(parsed.error.issues, rawManifest)) {
      const { message, fix } = splitFix(sentence);
      problem('manifest', `package.json "specterExtension": ${message}`, fix);
    }
    const bad = new Set<string>();
    for (const i of parsed.error.issues) {
      if (i.code === 'unrecognized_keys') for (const k of i.keys) bad.add(k);
      else if (i.path.length) bad.add(String(i.path[0]));
    }
    fields = validPart(rawManifest, bad);
  }
  const npmEngine = (pkg.engines as Record<string, unknown> | undefined)?.['specter-ts'];
  if (fields.engines === undefined && rawManifest.engines === undefined && typeof npmEngine === 'string') {
    if (semver.validRange(npmEngine) === null)
      problem('engines', `package.json engines["specter-ts"] is "${npmEngine}", not a semver range.`, `Use a range such as ">=${appVersion}".`);
    else fields = { ...fields, engines: npmEngine };
  }

  // 2. The main module and a class-style manifest.
  const origin: ManifestOrigin = { packageJsonPath: path.join(dir, 'package.json') };
  if (report.packageName) origin.packageName = report.packageName;
  if (report.version) origin.packageVersion = report.version;
  const main = packageMain(pkg, fields.main);
  let mainFile: { file: string; built: boolean } | undefined;
  let cls: ExtensionClass | undefined;
  let classManifestUnknown = false;
  if (main) {
    mainFile = await locateModule(dir, main);
    if (!mainFile) {
      problem(
        'main',
        `The main module "${main}" does not exist (nor its TypeScript source).`,
        'Fix "main" in package.json (relative to the package folder), or build the package (npm run build).',
      );
    } else if (!mainFile.built) {
      classManifestUnknown = true;
      warn(
        'main',
        `"${main}" is not built yet (found ${path.relative(dir, mainFile.file)}), so a manifest on the class was not read.`,
        'Run "npm run build" and validate again.',
      );
    } else if (options.importMain === false) {
      classManifestUnknown = true;
    } else {
      try {
        registerSpecterResolution(); // its `specter-ts` imports reach this Specter TS, as in the app
        const mod = (await import(pathToFileURL(mainFile.file).href)) as Record<string, unknown>;
        cls = findExtensionClass(mod, mainFile.file);
        origin.className = cls.name;
        origin.modulePath = mainFile.file;
      } catch (err) {
        classManifestUnknown = true;
        problem(
          'main',
          `The main module ${path.relative(dir, mainFile.file)} cannot be used: ${errorMessage(err)}`,
          'Export the extension class as the default export ("export default class X extends Extension"), and run "npm install" if an import is missing.',
        );
      }
    }
  }

  if (main && /\.js$/.test(main) && pkg.type !== 'module') {
    warn(
      'type',
      'package.json has no "type": "module", so Node reads the .js files as CommonJS.',
      'Add "type": "module" (extensions are ES modules).',
    );
  }

  // 3. Merge and finalise: required fields, conflicts between the class and package.json.
  let manifest: ExtensionManifest | undefined;
  try {
    const classFields = cls && cls.manifest !== undefined && isExtensionClass(cls) ? parseClassManifest(cls.manifest, origin) : undefined;
    manifest = finalizeManifest(mergeManifests(fields, classFields, origin), origin);
  } catch (err) {
    const list = isSpecterError(err) && Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [errorMessage(err)];
    for (const sentence of list) {
      // Required fields may live on a class we could not read: say so instead of a false alarm.
      if (classManifestUnknown && /^field "(id|name)" is missing/.test(sentence)) {
        warn(
          'manifest',
          `${sentence.split(';')[0]!} in package.json, and the class was not read.`,
          'Build the package so the class manifest can be checked, or declare it in package.json.',
        );
        continue;
      }
      const { message, fix } = splitFix(sentence.replace(/^extension[^:]*: /, ''));
      problem('manifest', message, fix || 'Fix the manifest.');
    }
  }
  const id = manifest?.id ?? (typeof fields.id === 'string' ? fields.id : undefined);
  if (id) report.id = id;
  const m = {
    hasBlueprint: manifest?.hasBlueprint ?? fields.hasBlueprint ?? true,
    blueprintModules:
      manifest?.blueprintModules ?? fields.blueprintModules ?? (fields.blueprintModule ? { default: fields.blueprintModule } : undefined),
    configModule: manifest?.configModule ?? fields.configModule,
    devices: manifest?.devices ?? fields.devices ?? [],
    nodes: manifest?.nodes ?? fields.nodes ?? [],
    templates: manifest?.templates ?? fields.templates ?? 'templates',
    static: manifest?.static ?? fields.static ?? 'static',
    icon: manifest?.icon ?? fields.icon,
    logo: manifest?.logo ?? fields.logo,
    engines: manifest?.engines ?? fields.engines,
  };

  // 4. Id rules beyond the schema.
  if (id && RESERVED_IDS.has(id))
    problem(
      'id',
      `The id "${id}" is taken by Specter TS itself (a core page or blueprint named ${id}_endpoint).`,
      `Pick another id, e.g. "my_${id}".`,
    );
  if (id && /^[0-9]/.test(id))
    warn('id', `The id "${id}" starts with a digit.`, 'Start it with a letter: it is used in class, config key and endpoint names.');

  // 5. engines: a range that includes this Specter TS.
  if (m.engines === undefined) {
    if (!rawManifest.engines)
      warn(
        'engines',
        'No "engines" range: Specter TS cannot tell whether this extension fits the running version.',
        `Add "engines": ">=${appVersion}" to "specterExtension".`,
      );
  } else if (semver.validRange(m.engines) !== null) {
    const mismatch = checkEngines(m.engines, appVersion);
    if (mismatch)
      problem(
        'engines',
        `"engines" is "${m.engines}", which excludes the running Specter TS ${appVersion}.`,
        `Use a range that includes ${appVersion}, e.g. ">=${appVersion}" (or validate with the Specter TS you target).`,
      );
  }

  // 6. Module paths: blueprints, config, devices, nodes.
  const besideMain = (file: string) => (main ? path.posix.join(path.posix.dirname(main.replace(/^\.\//, '')), file) : file);
  let defaultController: string | undefined; // the module spec of the default blueprint, when found
  if (m.hasBlueprint) {
    const modules = m.blueprintModules ?? { default: besideMain('controller.js') };
    for (const [key, spec] of Object.entries(modules)) {
      const found = await locateModule(dir, spec);
      if (!found) {
        const declared = m.blueprintModules ? `"blueprintModules.${key}" is "${spec}"` : `The default controller "${spec}" (next to main)`;
        problem(
          'blueprint',
          `${declared}, which does not exist (nor its TypeScript source).`,
          m.blueprintModules
            ? 'Fix the path (relative to the package folder).'
            : 'Add the controller module there, set "blueprintModule" to where it is, or set "hasBlueprint": false for an extension without pages.',
        );
      } else if (key === 'default') defaultController = spec;
    }
  }
  if (m.configModule && !(await locateModule(dir, m.configModule))) {
    problem(
      'config',
      `"configModule" is "${m.configModule}", which does not exist (nor its TypeScript source).`,
      'Fix the path (relative to the package folder), or remove "configModule".',
    );
  }
  for (const kind of ['devices', 'nodes'] as const) {
    for (const entry of m[kind]) {
      if (typeof entry !== 'string') continue;
      if (!(await locateModule(dir, entry)))
        problem(
          kind,
          `"${kind}" lists "${entry}", which does not exist (nor its TypeScript source).`,
          'Fix the path (relative to the package folder), or remove the entry.',
        );
    }
  }

  // 7. The default blueprint defines GET / "index" (when the source says so).
  if (defaultController) {
    // Read the TypeScript source when there is one (what the author edits), else the built file.
    const { built, sources } = moduleCandidates(defaultController);
    let file = path.resolve(dir, built);
    for (const s of sources) {
      if (await exists(path.resolve(dir, s))) {
        file = path.resolve(dir, s);
        break;
      }
    }
    const defines = definesIndexRoute(await fs.readFile(file, 'utf8').catch(() => ''));
    if (defines === false) {
      problem(
        'index-route',
        `The default blueprint (${path.relative(dir, file).replace(/\\/g, '/')}) has no GET "/" route named "index"; the sidebar and "Choose plugins" link to it.`,
        `Add bp.get('/', 'index', handler), or set "hasBlueprint": false for an extension without pages.`,
      );
    }
  }

  // 8. Templates and static files live in folders named after the id.
  if (id) {
    for (const what of ['templates', 'static'] as const) {
      const root = path.resolve(dir, m[what]);
      const own = path.join(root, id);
      const others = (await entries(root)).filter((e) => e !== id);
      const rel = (p: string) => path.relative(dir, p).replace(/\\/g, '/');
      if (await isDir(own)) {
        if (others.length)
          problem(
            what,
            `${rel(root)}/ holds ${others.map((o) => `"${o}"`).join(', ')} next to "${id}/"; the ${what === 'templates' ? 'template' : 'static'} namespace is shared by every extension.`,
            `Move them into ${rel(own)}/.`,
          );
        continue;
      }
      const needed = what === 'templates' ? m.hasBlueprint : m.icon !== undefined || m.logo !== undefined || others.length > 0;
      if (!needed) continue;
      if (others.length)
        problem(
          what,
          `The ${what} are in ${others.map((o) => `${rel(root)}/${o}/`).join(', ')}, but must be in ${rel(own)}/ (named after the id "${id}").`,
          `Rename the folder to ${rel(own)}/ (and the paths that use it).`,
        );
      else if (what === 'templates')
        problem(
          what,
          `There is no ${rel(own)}/ folder for the extension's templates.`,
          `Create ${rel(own)}/ and put the .njk templates there (render them as "${id}/index.njk").`,
        );
    }

    // 9. Icon and logo: inside the extension's static namespace, and present.
    for (const key of ['icon', 'logo'] as const) {
      const value = m[key];
      if (value === undefined) {
        if (key === 'icon')
          warn(
            'icon',
            'No "icon": the sidebar and "Choose plugins" show a generic one.',
            `Add "icon": "${id}/img/icon.svg" and the file under ${m.static}/${id}/img/.`,
          );
        continue;
      }
      const file = path.resolve(dir, m.static, value);
      if (!value.startsWith(`${id}/`))
        problem(
          key,
          `"${key}" is "${value}", outside the extension's static folder "${id}/".`,
          `Use a path that starts with "${id}/", e.g. "${id}/img/${path.basename(value)}", and move the file there.`,
        );
      else if (!(await exists(file)))
        problem(
          key,
          `The ${key} file ${path.relative(dir, file).replace(/\\/g, '/')} does not exist.`,
          `Add the file, or fix "${key}" (a path inside ${m.static}/).`,
        );
    }
  }
  return report;
}

function formatReport(report: ValidationReport): string {
  const lines: string[] = [];
  const what = [report.packageName && `${report.packageName}${report.version ? ` ${report.version}` : ''}`, report.id && `extension "${report.id}"`]
    .filter(Boolean)
    .join(', ');
  lines.push(`Checking ${report.dir}${what ? ` (${what})` : ''}`);
  if (report.problems.length === 0) lines.push('✓ No problems found.');
  else {
    lines.push(`✗ ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
    report.problems.forEach((p, i) => {
      lines.push('', `${i + 1}. [${p.check}] ${p.message}`, `   Fix: ${p.fix}`);
    });
  }
  if (report.warnings.length) {
    lines.push('', `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}:`);
    for (const w of report.warnings) lines.push(`- [${w.check}] ${w.message}`, `  Fix: ${w.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The CLI command: prints every problem with its fix; exit code 1 when there is any. */
export async function runExtValidate(dir = '.', io: { output?: NodeJS.WritableStream; json?: boolean; appVersion?: string } = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  const report = await validateExtensionPackage(dir, io.appVersion ? { appVersion: io.appVersion } : {});
  out.write(io.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.problems.length ? 1 : 0;
}
