import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT, VERSION } from '../../version.js';
import { createMetaEnvironment, renderExtensionFiles, type GenContext, type RenderedFile } from './meta-templates.js';
import { camelcase, checkDeviceName, checkId, checkOrg, colorFor, displayName, snakecase } from './naming.js';
import { Prompter, PromptClosedError } from './prompt.js';

/**
 * `specter ext gen`: scaffolds a standalone npm package for a Specter TS extension from the
 * templates shipped in `generator-templates/` (offline). Flags and prompts give the same answers;
 * `--yes` asks nothing and takes the defaults for whatever no flag gave.
 *
 * Output folder: `<dir>/specterext-<id>/` (`--dir` defaults to the current directory). When
 * `<dir>` itself is already named `specterext-<id>`, the files go straight into it, so
 * `mkdir specterext-x && cd specterext-x && specter ext gen --id x` works too.
 * Existing files are never overwritten; they are reported as skipped.
 */
export interface ExtGenOptions {
  id?: string;
  /** npm scope without "@"; "" for an unscoped package. */
  org?: string;
  isolatedClient?: boolean;
  encryptData?: boolean;
  /** CamelCase device type name; "" or "none" for none. */
  device?: string;
  dir?: string;
  yes?: boolean;
  /** The Specter TS folder the package's `.specter-ts` link points to (default: env SPECTER_TS_HOME, else this Specter TS). */
  specterPath?: string | boolean;
  dryRun?: boolean;
}

export interface ExtGenIo {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface GenAnswers {
  id: string;
  org: string;
  isolatedClient: boolean;
  encryptData: boolean;
  /** CamelCase, or null. */
  device: string | null;
}

export interface GenerateResult {
  /** The package folder. */
  dir: string;
  written: string[];
  skipped: string[];
  context: GenContext;
  /** The Specter TS folder `.specter-ts` was linked to; null when the link existed already (or a dry run). */
  linked: string | null;
}

export class GenInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenInputError';
  }
}

const NONE = /^(|none|no|-)$/i;

function normaliseDevice(device: string | undefined): string | null | undefined {
  if (device === undefined) return undefined;
  return NONE.test(device.trim()) ? null : device.trim();
}

/** Fills in the answers: flags first, then prompts (unless `--yes`), then defaults. */
export async function resolveAnswers(opts: ExtGenOptions, io: ExtGenIo = {}): Promise<GenAnswers> {
  const flagProblems: string[] = [];
  const check = (value: string | undefined, fn: (v: string) => string | undefined, flag: string) => {
    if (value === undefined) return;
    const problem = fn(value);
    if (problem) flagProblems.push(`${flag}: ${problem}`);
  };
  const device = normaliseDevice(opts.device);
  check(opts.id, checkId, '--id');
  check(opts.org, checkOrg, '--org');
  if (device) check(device, checkDeviceName, '--device');
  if (flagProblems.length) throw new GenInputError(flagProblems.join('\n'));

  if (opts.yes) {
    if (opts.id === undefined) throw new GenInputError('--id is required with --yes (lowercase letters, digits and "_", e.g. --id rubberduck).');
    return {
      id: opts.id,
      org: opts.org ?? '',
      isolatedClient: opts.isolatedClient ?? false,
      encryptData: opts.encryptData ?? false,
      device: device ?? null,
    };
  }

  const output = io.output ?? process.stdout;
  const prompter = new Prompter(io.input ?? process.stdin, output);
  try {
    const id = opts.id ?? (await prompter.askValid('Enter the id of your extension (lowercase letters, digits and "_"):', checkId));
    const org =
      opts.org ?? (await prompter.askValid('Enter the prefix: the npm scope without "@" (e.g. your GitHub name), or [enter] for none:', checkOrg));
    const isolatedClient =
      opts.isolatedClient ??
      (await prompter.confirm('Should the extension work in isolated client mode (its own pages, without the Specter TS session)?', false));
    const encryptData =
      opts.encryptData ??
      (isolatedClient ? false : await prompter.confirm("Should the extension's user data be encrypted with the user's password?", false));
    const answered =
      device !== undefined
        ? device
        : normaliseDevice(
            await prompter.askValid("Type the device type's name in CamelCase, or [enter] if you're not interested in a device:", (a) =>
              NONE.test(a) ? undefined : checkDeviceName(a),
            ),
          );
    return { id, org, isolatedClient, encryptData, device: answered ?? null };
  } finally {
    prompter.close();
  }
}

function gitConfig(key: string, cwd: string): string {
  try {
    return execFileSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
  } catch {
    return '';
  }
}

interface OwnPackageJson {
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
}

function ownPackageJson(): OwnPackageJson {
  try {
    return JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackageJson;
  } catch {
    return {};
  }
}

/**
 * The Specter TS folder a generated package builds and tests against: `--specter-path <dir>`,
 * else env SPECTER_TS_HOME, else the Specter TS running `ext gen`. It is never written into
 * package.json: the package gets a `.specter-ts` link to it (gitignored, never packed), which
 * tsconfig `paths` and the test script's resolve hook use (docs/extensions/testing.md).
 */
export function specterTsHome(opts: Pick<ExtGenOptions, 'specterPath'>, env: NodeJS.ProcessEnv, cwd: string): string {
  if (typeof opts.specterPath === 'string' && opts.specterPath !== '') return path.resolve(cwd, opts.specterPath);
  if (env.SPECTER_TS_HOME) return path.resolve(cwd, env.SPECTER_TS_HOME);
  return PACKAGE_ROOT;
}

/** The link in a generated package to the Specter TS it builds against. */
export const SPECTER_TS_LINK = '.specter-ts';

interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * A package-lock.json for the generated devDependencies (typescript, @types/node), copied from
 * this Specter TS's own lockfile: the same versions its `npm ci` put into the npm cache, with
 * their integrity, so the package's first `npm install` works offline. Undefined when this
 * Specter TS has no lockfile (installed from a tarball): npm then resolves them normally.
 */
export function devLockfile(
  pkg: { name: string; version: string; devDependencies: Record<string, string> },
  root = PACKAGE_ROOT,
): string | undefined {
  let lock: { packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as typeof lock;
  } catch {
    return undefined;
  }
  const all = lock.packages ?? {};
  const picked: Record<string, LockEntry> = {};
  const visit = (name: string, optional: boolean) => {
    const key = `node_modules/${name}`;
    const entry = all[key];
    if (!entry || picked[key]) return;
    const { dev: _d, devOptional: _o, optional: _p, peer: _x, ...rest } = entry;
    const base = name.split('/').pop();
    picked[key] = {
      ...rest,
      resolved: entry.resolved ?? `https://registry.npmjs.org/${name}/-/${base}-${entry.version}.tgz`,
      dev: true,
      ...((optional || entry.optional === true) && { optional: true }),
    };
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep, optional);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(dep, true);
  };
  for (const name of Object.keys(pkg.devDependencies)) visit(name, false);
  if (Object.keys(picked).length === 0) return undefined;
  const out = {
    name: pkg.name,
    version: pkg.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: pkg.name, version: pkg.version, devDependencies: pkg.devDependencies }, ...picked },
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Points `<dir>/.specter-ts` at the Specter TS folder (a junction on Windows); an existing one is kept. */
export async function linkSpecterTs(dir: string, home: string): Promise<boolean> {
  const link = path.join(dir, SPECTER_TS_LINK);
  if (await exists(link)) return false;
  await fs.symlink(home, link, process.platform === 'win32' ? 'junction' : 'dir');
  return true;
}

export function buildContext(answers: GenAnswers, extra: { author?: string; authorEmail?: string }): GenContext {
  const own = ownPackageJson();
  const name = displayName(answers.id);
  const author = extra.author ?? '';
  const authorEmail = extra.authorEmail ?? '';
  const device = answers.device ? { name: answers.device, snake: snakecase(answers.device), type: snakecase(answers.device) } : null;
  return {
    id: answers.id,
    org: answers.org,
    package_name: answers.org ? `@${answers.org}/specterext-${answers.id}` : `specterext-${answers.id}`,
    name,
    camel: camelcase(answers.id),
    upper: answers.id.toUpperCase(),
    desc: `${name}: a Specter TS extension.`,
    isolated_client: answers.isolatedClient,
    // An isolated client has no logged-in user, so there is no user data to encrypt.
    encrypt_data: answers.encryptData && !answers.isolatedClient,
    device,
    author,
    author_email: authorEmail,
    author_field: author && authorEmail ? `${author} <${authorEmail}>` : author,
    version: VERSION,
    engines: `>=${VERSION}`,
    typescript_version: own.devDependencies?.typescript ?? '^5.9.0',
    types_node_version: own.devDependencies?.['@types/node'] ?? '^20.19.0',
    node_engine: own.engines?.node ?? '>=20.19',
    url_prefix: answers.isolatedClient ? '/ext' : '/spc/ext',
    color: colorFor(answers.id),
    initial: name[0] ?? 'X',
  };
}

/** `<dir>/specterext-<id>`, or `<dir>` when it already has that name. */
export function targetDir(dir: string, id: string): string {
  const folder = `specterext-${id}`;
  return path.basename(dir) === folder ? dir : path.join(dir, folder);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes the files under `dir`, never replacing one that exists. */
export async function writeFiles(dir: string, files: readonly RenderedFile[]): Promise<{ written: string[]; skipped: string[] }> {
  const written: string[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const full = path.join(dir, ...file.path.split('/'));
    if (await exists(full)) {
      skipped.push(file.path);
      continue;
    }
    await fs.mkdir(path.dirname(full), { recursive: true });
    try {
      // "wx": fail rather than overwrite if the file appeared meanwhile.
      await fs.writeFile(full, file.content, { flag: 'wx' });
      written.push(file.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      skipped.push(file.path);
    }
  }
  return { written, skipped };
}

/** Renders and writes a package (no prompts). */
export async function generateExtension(
  answers: GenAnswers,
  options: { dir: string; specterTsHome?: string; author?: string; authorEmail?: string; dryRun?: boolean },
): Promise<GenerateResult> {
  const context = buildContext(answers, options);
  const files = renderExtensionFiles(context, createMetaEnvironment());
  const pkgFile = files.find((f) => f.path === 'package.json');
  const lock = pkgFile && devLockfile(JSON.parse(pkgFile.content) as { name: string; version: string; devDependencies: Record<string, string> });
  if (lock) files.push({ path: 'package-lock.json', content: lock });
  const dir = targetDir(options.dir, answers.id);
  if (options.dryRun) return { dir, written: files.map((f) => f.path), skipped: [], context, linked: null };
  const { written, skipped } = await writeFiles(dir, files);
  const home = options.specterTsHome ?? PACKAGE_ROOT;
  const linked = (await linkSpecterTs(dir, home)) ? home : null;
  return { dir, written, skipped, context, linked };
}

function nextSteps(result: GenerateResult, cwd: string): string {
  const c = result.context;
  const rel = path.relative(cwd, result.dir) || '.';
  const lines = [
    '',
    'Next steps:',
    ...(rel === '.' ? [] : [`  cd ${rel.includes(' ') ? JSON.stringify(rel) : rel}`]),
    '  npm install',
    '  npm test          # builds, then boots Specter TS with the extension and checks its pages',
    '  npm run dev       # Specter TS in DevelopmentConfig, loading the extension from this folder',
    '',
    c.isolated_client
      ? `Then open http://127.0.0.1:25441${c.url_prefix}/${c.id}/ (an isolated page: no login).`
      : `Then open http://127.0.0.1:25441/spc/plugins/choose, activate "${c.name}", and find it in the sidebar (${c.url_prefix}/${c.id}/).`,
    'Read README.md in the package for the layout and for publishing it to npm,',
    `and docs/extensions/ of Specter TS for the API (${path.join(PACKAGE_ROOT, 'docs', 'extensions', 'README.md')}).`,
    '',
  ];
  return lines.join('\n');
}

/** The CLI command. Returns the exit code. */
export async function runExtGen(opts: ExtGenOptions, io: ExtGenIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const write = (s: string) => void out.write(s.endsWith('\n') ? s : `${s}\n`);
  try {
    const answers = await resolveAnswers(opts, io);
    const author = gitConfig('user.name', cwd);
    const authorEmail = gitConfig('user.email', cwd);
    const result = await generateExtension(answers, {
      dir: path.resolve(cwd, opts.dir ?? '.'),
      specterTsHome: specterTsHome(opts, env, cwd),
      author,
      authorEmail,
      dryRun: opts.dryRun ?? false,
    });
    const c = result.context;
    if (opts.dryRun) {
      write(`Would write ${result.written.length} files into ${result.dir}:`);
      for (const f of result.written) write(`  ${f}`);
      return 0;
    }
    write(`Generated extension "${c.id}" (${c.package_name}) in ${result.dir}:`);
    for (const f of result.written) write(`  + ${f}`);
    if (result.linked) write(`  ${SPECTER_TS_LINK} -> ${result.linked} (the Specter TS it builds and tests against; not packed)`);
    if (result.skipped.length) {
      write(`Skipped ${result.skipped.length} file(s) that already exist (never overwritten):`);
      for (const f of result.skipped) write(`  = ${f}`);
    }
    write(nextSteps(result, cwd));
    return 0;
  } catch (err) {
    if (err instanceof GenInputError || err instanceof PromptClosedError) {
      (io.output ? out : process.stderr).write(`specter ext gen: ${err.message}\n`);
      return 2;
    }
    (io.output ? out : process.stderr).write(`specter ext gen: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
