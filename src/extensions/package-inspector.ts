import path from 'node:path';
import semver from 'semver';
import type { DiscoveredPackage, SourceTag } from './discovery.js';
import { isExtensionClass, type ExtensionClass } from './extension.js';
import {
  finalizeManifest,
  mergeManifests,
  parseClassManifest,
  parsePackageManifest,
  type Devstatus,
  type ExtensionManifest,
  type ManifestOrigin,
} from './manifest.js';
import type { BlueprintSetup } from './blueprint.js';
import { errorMessage, importModule, packageMain, resolveModulePath } from './module-loader.js';
import { checkPackageTrust } from './install/trust.js';
import { belowDevstatusReason, checkEngines, devstatusAllows, DISABLED_REASON, type ExtensionStatus } from './resolver.js';

/** A discovered package after reading its manifest and importing its main module. */
export interface Candidate {
  source: SourceTag;
  /** Package folder. */
  path: string;
  origin: string;
  packageName?: string;
  id?: string;
  /** Display name even when the manifest failed (package name or folder). */
  displayName: string;
  version?: string;
  devstatus?: Devstatus;
  manifest?: ExtensionManifest;
  /** The exported Extension subclass; absent for manifest-only extensions (the base class is used). */
  extensionClass?: ExtensionClass;
  mainPath?: string;
  preStatus?: { status: ExtensionStatus; reason: string };
  /** The trusted key's name (config `trusted_keys`) that signed the package; null or absent: unsigned. */
  signer?: string | null;
  /** Set when the package is re-imported at runtime after a change: the modules' URL query (see importModule). */
  fresh?: string;
  /** Inline extensions only: controllers and config given as code instead of module paths. */
  inline?: InlineParts;
}

export interface InlineParts {
  // biome-ignore lint/suspicious/noExplicitAny: each controller takes its own extension class (a contravariant parameter)
  controllers?: Record<string, BlueprintSetup<any>>;
  configModule?: Record<string, unknown>;
}

/** An extension passed as code (tests, `createTestHost`), not discovered from disk. */
export interface InlineExtension extends InlineParts {
  extensionClass: ExtensionClass;
  /** Folder for templates/static (default: none). */
  packageDir?: string;
}

/** What can be decided before importing any extension code. */
export interface PreImportGate {
  appVersion: string;
  threshold: Devstatus;
  disabled: ReadonlySet<string>;
  /** config.json `trusted_keys`: name → ed25519 public key, for plugin signatures. */
  trustedKeys?: Readonly<Record<string, string>>;
  /** A package reloaded at runtime after it changed: imported under a new URL (see importModule). */
  fresh?: string;
}

/**
 * The extension class of a module: the default export if it is one, else the single named export
 * that is one. Several named ones are ambiguous and refused.
 */
export function findExtensionClass(mod: Record<string, unknown>, file: string): ExtensionClass {
  if (isExtensionClass(mod.default)) return mod.default;
  const named = Object.entries(mod).filter(([k, v]) => k !== 'default' && isExtensionClass(v));
  if (named.length === 1) return named[0]![1] as ExtensionClass;
  if (named.length > 1) {
    throw new Error(
      `${file} exports several Extension subclasses (${named.map(([k]) => k).join(', ')}); export the extension as the default export.`,
    );
  }
  throw new Error(
    `${file} exports no Extension subclass; add "export default class MyExtension extends Extension { … }", or remove "main" for a manifest-only extension.`,
  );
}

/**
 * Reads a discovered package into a {@link Candidate}. Never throws: every problem becomes a
 * `failed` preStatus with the reason. Fields declared in package.json are final (a class may not
 * contradict them), so `disabled`, `devstatus` and `engines` declared there are checked before the
 * main module is imported: a disabled or below-threshold extension's code is never run.
 */
export async function inspectPackage(pkg: DiscoveredPackage, gate: PreImportGate): Promise<Candidate> {
  const json = pkg.packageJson ?? {};
  const packageName = typeof json.name === 'string' ? json.name : undefined;
  const candidate: Candidate = { source: pkg.source, path: pkg.path, origin: pkg.origin, displayName: packageName ?? pkg.origin };
  if (packageName) candidate.packageName = packageName;
  if (typeof json.version === 'string') candidate.version = json.version;
  if (gate.fresh) candidate.fresh = gate.fresh;
  if (pkg.error) return { ...candidate, preStatus: { status: 'failed', reason: pkg.error } };

  const origin: ManifestOrigin = { packageJsonPath: path.join(pkg.path, 'package.json') };
  if (packageName) origin.packageName = packageName;
  if (typeof json.version === 'string') origin.packageVersion = json.version;
  const fail = (reason: string): Candidate => ({ ...candidate, preStatus: { status: 'failed', reason } });
  // Integrity and signature first: a modified or badly signed package is refused whatever else it says.
  try {
    candidate.signer = (await checkPackageTrust(pkg, gate.trustedKeys ?? {})).signer;
  } catch (err) {
    const id = pkg.installRecord?.id;
    if (id) candidate.id = id;
    return fail(errorMessage(err));
  }

  let fields: ReturnType<typeof parsePackageManifest>;
  try {
    const raw = json.specterExtension === true ? {} : json.specterExtension;
    fields = parsePackageManifest(raw, origin);
    const npmEngine = (json.engines as Record<string, unknown> | undefined)?.['specter-ts'];
    if (fields.engines === undefined && typeof npmEngine === 'string') {
      if (semver.validRange(npmEngine) === null)
        throw new Error(`package.json engines["specter-ts"] is "${npmEngine}"; use a semver range, e.g. ">=0.1.0".`);
      fields = { ...fields, engines: npmEngine };
    }
  } catch (err) {
    return fail(errorMessage(err));
  }
  if (fields.id) candidate.id = fields.id;
  if (fields.name) candidate.displayName = fields.name;
  if (fields.devstatus) candidate.devstatus = fields.devstatus;

  if (fields.id && gate.disabled.has(fields.id)) return { ...candidate, preStatus: { status: 'disabled', reason: DISABLED_REASON } };
  if (fields.devstatus && !devstatusAllows(gate.threshold, fields.devstatus)) {
    return { ...candidate, preStatus: { status: 'below-devstatus', reason: belowDevstatusReason(fields.devstatus, gate.threshold) } };
  }
  const enginesProblem = checkEngines(fields.engines, gate.appVersion);
  if (enginesProblem) return { ...candidate, preStatus: { status: 'incompatible', reason: enginesProblem } };

  const main = packageMain(json, fields.main);
  let cls: ExtensionClass | undefined;
  if (main) {
    const mainPath = resolveModulePath(pkg.path, main);
    candidate.mainPath = mainPath;
    try {
      cls = findExtensionClass(await importModule(mainPath, 'main module', gate.fresh), mainPath);
    } catch (err) {
      return fail(`${originLabelFor(candidate)}: could not load main module ${mainPath}: ${errorMessage(err)}`);
    }
    origin.className = cls.name;
    origin.modulePath = mainPath;
  }
  try {
    const classFields = cls?.manifest === undefined ? undefined : parseClassManifest(cls.manifest, origin);
    const manifest = finalizeManifest(mergeManifests(fields, classFields, origin), origin);
    Object.assign(candidate, { id: manifest.id, displayName: manifest.name, version: manifest.version, devstatus: manifest.devstatus, manifest });
    if (cls) candidate.extensionClass = cls;
    return candidate;
  } catch (err) {
    const id = (cls?.manifest as { id?: unknown } | undefined)?.id;
    if (!candidate.id && typeof id === 'string') candidate.id = id;
    return fail(errorMessage(err));
  }
}

function originLabelFor(c: Candidate): string {
  return c.id ? `extension "${c.id}" (${c.path})` : `extension package "${c.displayName}" (${c.path})`;
}

/** An inline extension: the class manifest alone is the manifest. */
export function inspectInline(inline: InlineExtension): Candidate {
  const cls = inline.extensionClass;
  const where = inline.packageDir ?? `inline:${cls.name}`;
  const candidate: Candidate = { source: 'inline', path: where, origin: cls.name, displayName: cls.name, extensionClass: cls };
  const parts: InlineParts = {};
  if (inline.controllers) parts.controllers = inline.controllers;
  if (inline.configModule) parts.configModule = inline.configModule;
  candidate.inline = parts;
  const origin: ManifestOrigin = { className: cls.name, modulePath: where };
  try {
    if (!isExtensionClass(cls)) throw new Error(`${String((cls as { name?: unknown } | undefined)?.name ?? cls)} is not a subclass of Extension.`);
    const manifest = finalizeManifest(parseClassManifest(cls.manifest ?? {}, origin), origin);
    return Object.assign(candidate, {
      id: manifest.id,
      displayName: manifest.name,
      version: manifest.version,
      devstatus: manifest.devstatus,
      manifest,
    });
  } catch (err) {
    return { ...candidate, preStatus: { status: 'failed', reason: errorMessage(err) } };
  }
}
