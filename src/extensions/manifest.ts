import { isDeepStrictEqual } from 'node:util';
import semver from 'semver';
import { effectiveCapabilities } from './capabilities.js';
import { SpecterError } from '../errors/index.js';
import {
  classManifestSchema,
  EXTENSION_ID_PATTERN,
  formatIssues,
  isBlueprintIssue,
  packageManifestSchema,
  type ClassManifestFields,
  type PackageManifestFields,
} from './manifest-schema.js';

export type Devstatus = 'alpha' | 'beta' | 'prod';
export type Optionality = 'opt_in' | 'opt_out' | 'mandatory';
export type CallbackStyle = 'collect' | 'middleware';

/** One entry of `depends`, normalised: `"swan"` → `{id: "swan"}`, `{"swan": "^1"}` → `{id, range}`. */
export interface DependencySpec {
  id: string;
  range?: string;
}

export interface CallbackDeclaration {
  id: string;
  style: CallbackStyle;
  description?: string;
}

/**
 * What an author writes, on the class (`static override manifest = {...}`) or in package.json
 * (`"specterExtension": {...}`). Enum-like fields are typed `string` so that a plain object literal
 * compiles without `as const` (TypeScript does not contextually type an overriding static); the
 * schema checks them at load. Use {@link defineManifest} for literal types and autocompletion.
 */
export interface ExtensionManifestInput {
  id?: string;
  name?: string;
  icon?: string;
  logo?: string;
  desc?: string;
  hasBlueprint?: boolean;
  blueprintModule?: string;
  blueprintModules?: Record<string, string>;
  isolatedClient?: boolean;
  devstatus?: string;
  optionality?: string;
  visibleInSidebar?: boolean;
  encryptData?: boolean;
  sortPriority?: number;
  depends?: Array<string | Record<string, string>> | Record<string, string>;
  devices?: Array<string | Function>;
  nodes?: Array<string | Function>;
  configModule?: string;
  callbacks?: Array<{ id: string; style: string; description?: string }>;
  version?: string;
  engines?: string;
  templates?: string;
  static?: string;
  /** What the plugin needs (see capabilities.ts): `wallets:read`, `network:api.example.com`, … */
  capabilities?: string[];
  /** The version of the data format it keeps (default 1); raising it runs the plugin's migration. */
  dataVersion?: number;
}

/** {@link ExtensionManifestInput} with the literal unions, for {@link defineManifest}. */
export interface StrictManifestInput extends ExtensionManifestInput {
  devstatus?: Devstatus;
  optionality?: Optionality;
  callbacks?: CallbackDeclaration[];
}

/** Identity helper that gives a class manifest literal types: `static override manifest = defineManifest({...})`. */
export function defineManifest<const M extends StrictManifestInput>(manifest: M): M {
  return manifest;
}

/** The validated manifest with every default applied: what the rest of the framework reads. */
export interface ExtensionManifest {
  id: string;
  name: string;
  icon?: string;
  logo?: string;
  desc: string;
  hasBlueprint: boolean;
  /** Declared blueprint modules ({default, …}); absent means "controller.js next to main". */
  blueprintModules?: Record<string, string>;
  isolatedClient: boolean;
  devstatus: Devstatus;
  optionality: Optionality;
  visibleInSidebar: boolean;
  encryptData: boolean;
  sortPriority: number;
  depends: DependencySpec[];
  devices: Array<string | Function>;
  nodes: Array<string | Function>;
  configModule?: string;
  callbacks: CallbackDeclaration[];
  version: string;
  engines?: string;
  templates: string;
  static: string;
  main?: string;
  /** Declared plus implied (`encryptData` → `storage:encrypted`), sorted. */
  capabilities: readonly string[];
  dataVersion: number;
}

/** Where a manifest came from, for error messages. */
export interface ManifestOrigin {
  /** Absolute path of the package.json (or of the package folder). */
  packageJsonPath?: string;
  packageName?: string;
  /** package.json `version`, the fallback for the manifest's version. */
  packageVersion?: string;
  /** Name of the Extension class and the module that exports it. */
  className?: string;
  modulePath?: string;
}

/** `extension "swan" (/x/package.json)` or `extension package "pkg" (/x/package.json)`. */
export function originLabel(origin: ManifestOrigin, id?: unknown): string {
  const where = origin.packageJsonPath ?? origin.modulePath;
  const suffix = where ? ` (${where})` : '';
  if (typeof id === 'string' && EXTENSION_ID_PATTERN.test(id)) return `extension "${id}"${suffix}`;
  if (origin.packageName) return `extension package "${origin.packageName}"${suffix}`;
  if (origin.className) return `extension class ${origin.className}${suffix}`;
  return `extension${suffix}`;
}

function fail(origin: ManifestOrigin, id: unknown, problems: string[], blueprint = false): never {
  const label = originLabel(origin, id);
  throw new SpecterError(blueprint ? 'EXT_BLUEPRINT_INVALID' : 'EXT_MANIFEST_INVALID', `${label}: ${problems.join(' ')}`, {
    hint: 'Fix the manifest (package.json "specterExtension" or the class\'s static manifest) and restart.',
    details: { ...origin, problems },
  });
}

function parseWith<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Parameters<typeof formatIssues>[0] } } },
  raw: unknown,
  origin: ManifestOrigin,
  what: string,
): T {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    fail(origin, undefined, [`${what} must be an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}.`]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues;
    fail(origin, (raw as { id?: unknown }).id, formatIssues(issues, raw), issues.every(isBlueprintIssue));
  }
  return result.data;
}

/** Validates the `specterExtension` object of a package.json. */
export function parsePackageManifest(raw: unknown, origin: ManifestOrigin): PackageManifestFields {
  return parseWith(packageManifestSchema, raw, origin, '"specterExtension" in package.json');
}

/** Validates a class's static `manifest` object. */
export function parseClassManifest(raw: unknown, origin: ManifestOrigin): ClassManifestFields {
  return parseWith(classManifestSchema, raw, origin, `the static manifest of class ${origin.className ?? '?'}`);
}

/**
 * Merges the two declaration styles. Rule: a field may be declared in either place; declared in
 * both, the values must be equal, otherwise the extension fails to load. We refuse rather than
 * pick a winner because a silent winner hides a stale package.json (or a stale class) from the
 * author, and the resolver may already have acted on the package.json value.
 */
export function mergeManifests(pkg: PackageManifestFields, cls: ClassManifestFields | undefined, origin: ManifestOrigin): PackageManifestFields {
  if (!cls) return pkg;
  const merged: Record<string, unknown> = { ...pkg };
  const conflicts: string[] = [];
  for (const [key, value] of Object.entries(cls)) {
    if (value === undefined) continue;
    const other = (pkg as Record<string, unknown>)[key];
    if (other !== undefined && !isDeepStrictEqual(other, value)) {
      conflicts.push(
        `field "${key}" is ${JSON.stringify(other)} in package.json but ${JSON.stringify(value)} in class ${origin.className ?? '?'}; declare it in one place.`,
      );
    }
    merged[key] = value;
  }
  if (conflicts.length) fail(origin, merged.id, conflicts);
  return merged as PackageManifestFields;
}

function normaliseDepends(depends: PackageManifestFields['depends']): DependencySpec[] {
  if (!depends) return [];
  const entries = Array.isArray(depends) ? depends : [depends];
  const out: DependencySpec[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') out.push({ id: entry });
    else for (const [id, range] of Object.entries(entry)) out.push({ id, range });
  }
  return out;
}

/** Checks the required fields and applies the defaults (the seed's class attribute defaults). */
export function finalizeManifest(fields: PackageManifestFields, origin: ManifestOrigin): ExtensionManifest {
  const problems: string[] = [];
  if (fields.id === undefined) problems.push('field "id" is missing; use lowercase letters, digits and "_" only, e.g. "swan".');
  if (fields.name === undefined) problems.push('field "name" is missing; give the display name as a string, e.g. "Swan".');
  if (fields.blueprintModule !== undefined && fields.blueprintModules !== undefined) {
    problems.push('fields "blueprintModule" and "blueprintModules" are both set; use blueprintModules alone (put the first one under "default").');
  }
  const version = fields.version ?? origin.packageVersion ?? '0.0.0';
  if (!fields.version && origin.packageVersion !== undefined && semver.valid(origin.packageVersion) === null) {
    problems.push(`package.json "version" is ${JSON.stringify(origin.packageVersion)}; use a semver version, e.g. "1.2.3".`);
  }
  const depends = normaliseDepends(fields.depends);
  if (fields.id !== undefined && depends.some((d) => d.id === fields.id)) {
    problems.push(`field "depends" names the extension itself ("${fields.id}"); remove it.`);
  }
  if (problems.length) fail(origin, fields.id, problems);

  const blueprintModules = fields.blueprintModules ?? (fields.blueprintModule ? { default: fields.blueprintModule } : undefined);
  const manifest: ExtensionManifest = {
    id: fields.id!,
    name: fields.name!,
    desc: fields.desc ?? '',
    hasBlueprint: fields.hasBlueprint ?? true,
    isolatedClient: fields.isolatedClient ?? false,
    devstatus: fields.devstatus ?? 'alpha',
    optionality: fields.optionality ?? 'opt_in',
    visibleInSidebar: fields.visibleInSidebar ?? true,
    encryptData: fields.encryptData ?? false,
    sortPriority: fields.sortPriority ?? 0,
    depends,
    devices: fields.devices ?? [],
    nodes: fields.nodes ?? [],
    callbacks: (fields.callbacks ?? []) as CallbackDeclaration[],
    version,
    templates: fields.templates ?? 'templates',
    static: fields.static ?? 'static',
    capabilities: Object.freeze(effectiveCapabilities(fields.capabilities ?? [], fields.encryptData ?? false)),
    dataVersion: fields.dataVersion ?? 1,
  };
  if (fields.icon !== undefined) manifest.icon = fields.icon;
  if (fields.logo !== undefined) manifest.logo = fields.logo;
  if (blueprintModules !== undefined) manifest.blueprintModules = blueprintModules;
  if (fields.configModule !== undefined) manifest.configModule = fields.configModule;
  if (fields.engines !== undefined) manifest.engines = fields.engines;
  if (fields.main !== undefined) manifest.main = fields.main;
  return Object.freeze(manifest);
}
