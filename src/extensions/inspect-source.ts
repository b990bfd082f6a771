import { currentUser } from '../managers/users/index.js';
import type { InspectSource } from './context/runtime-facets.js';
import type { ExtensionManager } from './extension-manager.js';

/**
 * What `ctx.inspect` reads (developer tools with the `extensions:inspect` capability): statuses,
 * errors, callbacks and jobs as plain data — no paths, no manager, no other plugin's instance.
 */
export function inspectSourceOf(manager: ExtensionManager): InspectSource {
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    extensions: () =>
      manager
        .statuses()
        .filter((s) => s.id !== null)
        .map((s) => ({
          id: s.id!,
          name: s.name,
          version: s.version ?? '',
          source: s.source,
          devstatus: s.devstatus ?? '',
          status: s.status,
          reason: s.reason,
          tripped: s.tripped ? { at: s.tripped.at.toISOString(), reason: s.tripped.reason } : null,
          errorCount: s.errorCount,
          capabilities: manager.get(s.id!)?.manifest.capabilities ?? [],
        })),
    errors: (extId) => manager.health.errors(extId).map((r) => ({ at: r.at.toISOString(), where: r.where, message: r.message, stack: r.stack })),
    callbacks: () =>
      manager.callbacks.list().map((c) => ({
        id: c.id,
        style: c.style,
        definedBy: c.definedBy,
        description: c.description,
        implementedBy: manager.callbacks.handlersFor(c.id).map((e) => e.id),
      })),
    jobs: () =>
      manager.scheduler.list().map((j) => ({
        id: j.id,
        extId: j.ext,
        schedule: j.schedule,
        running: j.running,
        nextRun: iso(j.nextRun),
        lastRun: iso(j.lastRun),
        lastError: j.lastError,
        runs: j.runs,
        failures: j.failures,
      })),
    activeForCurrentUser: () => {
      const user = currentUser();
      return user ? manager.extensions.filter((e) => user.hasService(e.id) && manager.isActive(e.id)).map((e) => e.id) : [];
    },
  };
}
