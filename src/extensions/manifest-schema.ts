import semver from 'semver';
import { z } from 'zod';
import { capabilityProblem } from './capabilities.js';

/**
 * The one zod schema for an extension's declaration, shared by the two styles:
 * the static `manifest` object on the Extension class and the `specterExtension` key of
 * package.json. Every field is optional here because a field may live on either side; the
 * required fields (id, name) and the defaults are applied after the merge (manifest.ts).
 *
 * Each field carries its fix as the zod message, so an error can say
 * `field "devstatus" is "gamma"; use alpha, beta or prod.`
 */

export const DEVSTATUSES = ['alpha', 'beta', 'prod'] as const;
export const OPTIONALITIES = ['opt_in', 'opt_out', 'mandatory'] as const;
export const CALLBACK_STYLES = ['collect', 'middleware'] as const;

/** Lowercase letters, digits and `_`: the id becomes a URL segment, a folder name and a storage key. */
export const EXTENSION_ID_PATTERN = /^[a-z0-9_]+$/;
/** A callback id becomes part of a method name (`callback_<id>`). */
export const CALLBACK_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

const FIX = {
  id: 'use lowercase letters, digits and "_" only, e.g. "swan"',
  name: 'give the display name as a string, e.g. "Swan"',
  path: 'give a path inside the static folder as a string, e.g. "swan/img/icon.svg"',
  desc: 'give a short description as a string',
  bool: 'use true or false',
  module: 'give a module path relative to the package folder, e.g. "./dist/controller.js"',
  blueprintModules: 'give a map like {"default": "./controller.js", "ui": "./controller-ui.js"}',
  devstatus: 'use alpha, beta or prod',
  optionality: 'use opt_in, opt_out or mandatory',
  sortPriority: 'use a number, e.g. 2',
  depends: 'use a list of extension ids, optionally with a semver range, e.g. ["swan", {"notifications": "^1.0.0"}]',
  contributions: 'use a list of module paths (or, on the class, of classes)',
  callbacks: 'use a list like [{"id": "my_event", "style": "collect", "description": "…"}]',
  version: 'use a semver version, e.g. "1.2.3"',
  engines: 'use a semver range for Specter TS, e.g. ">=0.1.0"',
  folder: 'use a folder inside the package, e.g. "templates"',
  capabilities: 'use a list of capabilities, e.g. ["wallets:read", "network:api.example.com"]',
  dataVersion: 'use a whole number from 1 up: the version of the data format the plugin keeps (raise it with a migration)',
} as const;

/** A relative path that stays inside the package: these folders are served over HTTP. */
function isInsidePackage(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) return false;
  return !p.split(/[\\/]/).includes('..');
}

const str = (fix: string) => z.string({ error: fix }).min(1, { error: fix });
const bool = z.boolean({ error: FIX.bool });

const idSchema = z.string({ error: FIX.id }).check((ctx) => {
  const v = ctx.value;
  let message: string | undefined;
  if (v.includes('/') || v.includes('\\')) message = `an id must not contain "/"; ${FIX.id}`;
  else if (v.includes('..')) message = `an id must not contain ".."; ${FIX.id}`;
  else if (!EXTENSION_ID_PATTERN.test(v)) message = FIX.id;
  if (message) ctx.issues.push({ code: 'custom', message, input: v });
});

const rangeSchema = z.string({ error: FIX.depends }).check((ctx) => {
  if (semver.validRange(ctx.value) === null) {
    ctx.issues.push({ code: 'custom', message: `"${ctx.value}" is not a semver range; ${FIX.depends}`, input: ctx.value });
  }
});

const dependsSchema = z.union([z.array(z.union([idSchema, z.record(idSchema, rangeSchema)])), z.record(idSchema, rangeSchema)], {
  error: FIX.depends,
});

const blueprintModulesSchema = z.record(z.string(), str(FIX.module), { error: FIX.blueprintModules }).check((ctx) => {
  // The seed's two rules, with the seed's messages.
  if (Object.hasOwn(ctx.value, '')) {
    ctx.issues.push({ code: 'custom', message: `Empty keys are not allowed in the blueprints map; ${FIX.blueprintModules}`, input: ctx.value });
  }
  if (!Object.hasOwn(ctx.value, 'default')) {
    ctx.issues.push({
      code: 'custom',
      message: `You need at least one Blueprint, with the key 'default'. It will be used to link to your UI; ${FIX.blueprintModules}`,
      input: ctx.value,
    });
  }
});

const contributionSchema = z.array(z.union([str(FIX.contributions), z.custom<Function>((v) => typeof v === 'function')]), {
  error: FIX.contributions,
});

const callbackDefSchema = z.strictObject(
  {
    id: z
      .string({ error: 'give the callback id as a string' })
      .regex(CALLBACK_ID_PATTERN, { error: 'use letters, digits and "_", starting with a letter (it becomes callback_<id>)' }),
    style: z.enum(CALLBACK_STYLES, { error: 'use collect or middleware' }),
    description: z.string({ error: 'give the description as a string' }).optional(),
  },
  { error: FIX.callbacks },
);

const capabilitySchema = z.string({ error: FIX.capabilities }).check((ctx) => {
  const problem = capabilityProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

const versionSchema = z.string({ error: FIX.version }).check((ctx) => {
  if (semver.valid(ctx.value) === null) ctx.issues.push({ code: 'custom', message: FIX.version, input: ctx.value });
});

const enginesSchema = z.string({ error: FIX.engines }).check((ctx) => {
  if (semver.validRange(ctx.value) === null) ctx.issues.push({ code: 'custom', message: FIX.engines, input: ctx.value });
});

const folderSchema = z.string({ error: FIX.folder }).check((ctx) => {
  if (!isInsidePackage(ctx.value)) ctx.issues.push({ code: 'custom', message: `it must stay inside the package; ${FIX.folder}`, input: ctx.value });
});

/** Fields valid in both styles. */
export const manifestFields = {
  id: idSchema.optional(),
  name: str(FIX.name).optional(),
  icon: str(FIX.path).optional(),
  logo: str(FIX.path).optional(),
  desc: z.string({ error: FIX.desc }).optional(),
  hasBlueprint: bool.optional(),
  blueprintModule: str(FIX.module).optional(),
  blueprintModules: blueprintModulesSchema.optional(),
  isolatedClient: bool.optional(),
  devstatus: z.enum(DEVSTATUSES, { error: FIX.devstatus }).optional(),
  optionality: z.enum(OPTIONALITIES, { error: FIX.optionality }).optional(),
  visibleInSidebar: bool.optional(),
  encryptData: bool.optional(),
  sortPriority: z.number({ error: FIX.sortPriority }).optional(),
  depends: dependsSchema.optional(),
  devices: contributionSchema.optional(),
  nodes: contributionSchema.optional(),
  configModule: str(FIX.module).optional(),
  callbacks: z.array(callbackDefSchema, { error: FIX.callbacks }).optional(),
  version: versionSchema.optional(),
  engines: enginesSchema.optional(),
  templates: folderSchema.optional(),
  static: folderSchema.optional(),
  capabilities: z.array(capabilitySchema, { error: FIX.capabilities }).optional(),
  dataVersion: z.number({ error: FIX.dataVersion }).int({ error: FIX.dataVersion }).min(1, { error: FIX.dataVersion }).optional(),
};

/** The class style: a static `manifest` object. */
export const classManifestSchema = z.strictObject(manifestFields);
/** The package.json style: the same fields plus `main`. */
export const packageManifestSchema = z.strictObject({ ...manifestFields, main: str(FIX.module).optional() });

export type ClassManifestFields = z.infer<typeof classManifestSchema>;
export type PackageManifestFields = z.infer<typeof packageManifestSchema>;

const KNOWN_FIELDS = new Set([...Object.keys(manifestFields), 'main']);

/** The fix for an unknown key: most often a seed (snake_case) name or a case typo. */
function unknownKeyHint(key: string): string {
  const camel = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (camel !== key && KNOWN_FIELDS.has(camel)) return `use "${camel}" (the camelCase form of the seed's "${key}")`;
  const ci = [...KNOWN_FIELDS].find((f) => f.toLowerCase() === key.toLowerCase());
  if (ci) return `did you mean "${ci}"?`;
  return `remove it; known fields are ${[...KNOWN_FIELDS].join(', ')}`;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'function') return `a function (${(v as { name?: string }).name || 'anonymous'})`;
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * One sentence per problem: `field "devstatus" is "gamma"; use alpha, beta or prod.` The issues are
 * zod's; the fix texts are ours (the zod message of each field).
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const where = issue.path.length ? `${formatPath(issue.path)}.${key}` : key;
        out.push(`field "${where}" is not a manifest field; ${unknownKeyHint(key)}.`);
      }
      continue;
    }
    const field = formatPath(issue.path) || 'manifest';
    // Report the top-level field value: nested union/record errors are clearer at that level.
    out.push(`field "${field}" is ${describeValue(valueAt(input, issue.path))}; ${issue.message}.`);
  }
  return out;
}

/** The part of an issue list that is about the blueprints map (reported as EXT_BLUEPRINT_INVALID). */
export function isBlueprintIssue(issue: z.core.$ZodIssue): boolean {
  return issue.path[0] === 'blueprintModules' || issue.path[0] === 'blueprintModule';
}
