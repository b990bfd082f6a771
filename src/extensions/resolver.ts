import semver from 'semver';
import type { DependencySpec, Devstatus, ExtensionManifest } from './manifest.js';
import { dependencyOrder, findCycles } from './ordering.js';

/** Every discovered extension ends in exactly one of these. */
export type ExtensionStatus = 'loaded' | 'disabled' | 'below-devstatus' | 'incompatible' | 'missing-dependency' | 'failed';

export const DEVSTATUS_RANK: Readonly<Record<Devstatus, number>> = { alpha: 1, beta: 2, prod: 3 };

/** Specter's rule: load if `rank[threshold] <= rank[devstatus]`. */
export function devstatusAllows(threshold: Devstatus, devstatus: Devstatus): boolean {
  return DEVSTATUS_RANK[threshold] <= DEVSTATUS_RANK[devstatus];
}

/** Undefined when compatible, else the reason. Prereleases of the app count as their version. */
export function checkEngines(range: string | undefined, appVersion: string): string | undefined {
  if (!range) return undefined;
  if (semver.satisfies(appVersion, range, { includePrerelease: true })) return undefined;
  return `requires Specter TS ${range}, this is ${appVersion}; install a version of the extension made for ${appVersion}, or upgrade Specter TS.`;
}

export function belowDevstatusReason(devstatus: Devstatus, threshold: Devstatus): string {
  return `devstatus "${devstatus}" is below the threshold "${threshold}" (SERVICES_DEVSTATUS_THRESHOLD); lower the threshold to load it.`;
}

export const DISABLED_REASON = 'disabled in the configuration.';

export interface ResolvableCandidate {
  /** Package folder (for messages). */
  path: string;
  /** The id, when known even without a valid manifest. */
  id?: string | undefined;
  manifest?: (Pick<ExtensionManifest, 'id' | 'version' | 'devstatus' | 'depends' | 'sortPriority'> & { engines?: string | undefined }) | undefined;
  /** A status decided before resolution (unreadable package, invalid manifest, pre-import gate). */
  preStatus?: { status: ExtensionStatus; reason: string } | undefined;
}

export interface ResolveOptions {
  appVersion: string;
  threshold: Devstatus;
  /** Ids switched off by configuration or by the admin. */
  disabled?: Iterable<string>;
}

export interface Resolution<C> {
  candidate: C;
  status: ExtensionStatus;
  /** Why (empty for `loaded`). */
  reason: string;
  /** Specter's dependency_level (0 for extensions nobody depends on); only for loaded ones. */
  dependencyLevel: number;
}

export interface ResolveResult<C> {
  /** Every candidate, in input (discovery) order. */
  all: Resolution<C>[];
  /** The loadable ones, in load and callback order. */
  order: Resolution<C>[];
}

const idOf = (c: ResolvableCandidate) => c.manifest?.id ?? c.id;

function dependencyProblem(
  dep: DependencySpec,
  byId: Map<string, Resolution<ResolvableCandidate>>,
): { status: ExtensionStatus; reason: string } | undefined {
  const target = byId.get(dep.id);
  if (!target)
    return { status: 'missing-dependency', reason: `depends on "${dep.id}", which is not installed; install it or remove it from "depends".` };
  if (target.status !== 'loaded') {
    return { status: 'missing-dependency', reason: `depends on "${dep.id}", which is ${target.status} (${target.reason.replace(/\.$/, '')}).` };
  }
  const version = target.candidate.manifest!.version;
  if (dep.range && !semver.satisfies(version, dep.range, { includePrerelease: true })) {
    return {
      status: 'incompatible',
      reason: `depends on "${dep.id}" ${dep.range}, but version ${version} is installed; install a matching version.`,
    };
  }
  return undefined;
}

/**
 * Pure: decides the status of every candidate and the load order of the loadable ones.
 * Steps: pre-decided statuses; unique ids (the first in discovery order keeps the id); disabled;
 * devstatus threshold; engines; dependency cycles (every member fails, naming the cycle); missing
 * or mismatched dependencies, propagated until stable; Specter's ordering for the rest.
 */
export function resolveExtensions<C extends ResolvableCandidate>(candidates: readonly C[], options: ResolveOptions): ResolveResult<C> {
  const disabled = new Set(options.disabled ?? []);
  const all: Resolution<C>[] = candidates.map((candidate) => ({ candidate, status: 'loaded', reason: '', dependencyLevel: 0 }));
  const set = (r: Resolution<C>, status: ExtensionStatus, reason: string) => {
    r.status = status;
    r.reason = reason;
  };

  for (const r of all) {
    const c = r.candidate;
    if (c.preStatus) set(r, c.preStatus.status, c.preStatus.reason);
    else if (!c.manifest) set(r, 'failed', 'no valid manifest.');
  }

  const owner = new Map<string, Resolution<C>>();
  for (const r of all) {
    const id = idOf(r.candidate);
    if (id === undefined) continue;
    const first = owner.get(id);
    if (!first) {
      owner.set(id, r);
      continue;
    }
    set(
      r,
      'failed',
      `duplicate id "${id}": ${r.candidate.path} and ${first.candidate.path} both declare it; the first one found keeps it. Remove one, or rename one.`,
    );
  }

  for (const r of all) {
    if (r.status !== 'loaded') continue;
    const m = r.candidate.manifest!;
    const enginesProblem = checkEngines(m.engines, options.appVersion);
    if (disabled.has(m.id)) set(r, 'disabled', DISABLED_REASON);
    else if (!devstatusAllows(options.threshold, m.devstatus)) set(r, 'below-devstatus', belowDevstatusReason(m.devstatus, options.threshold));
    else if (enginesProblem) set(r, 'incompatible', enginesProblem);
  }

  const live = () => all.filter((r) => r.status === 'loaded');
  const cycles = findCycles(
    live().map((r) => ({ id: r.candidate.manifest!.id, depends: r.candidate.manifest!.depends.map((d) => d.id), sortPriority: 0 })),
  );
  for (const cycle of cycles) {
    const reason = `dependency cycle: ${cycle.path.join(' → ')}; remove one of these "depends" entries.`;
    for (const id of cycle.members) set(owner.get(id)!, 'failed', reason);
  }

  const byId = owner as unknown as Map<string, Resolution<ResolvableCandidate>>;
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of live()) {
      for (const dep of r.candidate.manifest!.depends) {
        const problem = dependencyProblem(dep, byId);
        if (problem) {
          set(r, problem.status, problem.reason);
          changed = true;
          break;
        }
      }
    }
  }

  const loadable = live();
  const byManifestId = new Map(loadable.map((r) => [r.candidate.manifest!.id, r]));
  const ordered = dependencyOrder(
    loadable.map((r) => ({
      id: r.candidate.manifest!.id,
      depends: r.candidate.manifest!.depends.map((d) => d.id),
      sortPriority: r.candidate.manifest!.sortPriority,
    })),
  );
  const order = ordered.map(({ node, level }) => {
    const r = byManifestId.get(node.id)!;
    r.dependencyLevel = level;
    return r;
  });
  return { all, order };
}
