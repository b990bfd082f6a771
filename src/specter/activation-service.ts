import { SpecterError } from '../errors/index.js';
import type { User } from '../managers/users/index.js';
import { activateService, applyOptionality, deactivateService, type Extension } from '../extensions/index.js';
import type { Specter } from './specter.js';

/**
 * Per-user activation of extensions (the user's `services` list in users.json), with the
 * optionality rules: mandatory always on, opt_out on until the user removes it, opt_in on request.
 */
export class ActivationService {
  constructor(private readonly specter: Specter) {}

  private loaded(id: string): Extension {
    const ext = this.specter.extensionManager.get(id);
    if (!ext) throw new SpecterError('EXT_NOT_FOUND', `No loaded extension "${id}".`, { hint: 'See "Choose plugins" for the available ones.' });
    return ext;
  }

  /** Whether the extension is loaded, not switched off, and active for this user. */
  isActiveFor(user: User | undefined, id: string): boolean {
    if (!user || !this.specter.extensionManager.isActive(id)) return false;
    return user.hasService(id);
  }

  /** Loaded, healthy extensions active for the user, in callback order. */
  activeFor(user: User | undefined): readonly Extension[] {
    if (!user || user.services.length === 0) return [];
    // Every page asks this. The answer depends only on the user's services list (replaced, never
    // mutated, when it changes) and on which extensions are switched off, so it is cached per list.
    const manager = this.specter.extensionManager;
    if (!this.#subscribed) {
      manager.health.onChange(() => (this.#healthVersion += 1));
      this.#subscribed = true;
    }
    const key = user.services;
    const hit = this.#activeCache.get(key);
    // The loaded set is a new array whenever an extension is loaded or unloaded at runtime.
    if (hit && hit.version === this.#healthVersion && hit.loaded === manager.extensions) return hit.list;
    const services = new Set(key);
    const list = manager.extensions.filter((ext) => services.has(ext.id) && manager.isActive(ext.id));
    this.#activeCache.set(key, { version: this.#healthVersion, loaded: manager.extensions, list });
    return list;
  }

  readonly #activeCache = new WeakMap<readonly string[], { version: number; loaded: readonly Extension[]; list: readonly Extension[] }>();
  #healthVersion = 0;
  #subscribed = false;

  /**
   * Why the user cannot activate the extension now, or null. The seed's rule: a plugin that keeps
   * its data encrypted needs the user secret, which only a password-based auth method has.
   */
  activationBlocker(ext: Extension): string | null {
    if (ext.manifest.encryptData && this.specter.authMethod === 'none') {
      return `"${ext.manifest.name}" keeps its data encrypted with your password, and authentication is set to "none".`;
    }
    return null;
  }

  async setActive(user: User, id: string, active: boolean): Promise<void> {
    const ext = this.loaded(id);
    const blocker = active ? this.activationBlocker(ext) : null;
    if (blocker) {
      throw new SpecterError('USER_SECRET_UNAVAILABLE', `${blocker} It cannot be activated.`, {
        hint: 'Choose a password-based method in Settings → Authentication, then activate it.',
        details: { extensionId: id },
      });
    }
    const state = { services: [...user.services], servicesRemoved: [...(user.record.services_removed ?? [])] };
    const next = active ? activateService(state, id) : deactivateService(state, { id, optionality: ext.manifest.optionality });
    await this.specter.userManager.setServices(user.id, next.services, next.servicesRemoved);
  }

  /** Run at startup (and for new users): adds mandatory and not-yet-removed opt_out extensions. */
  async applyOptionalityToAllUsers(): Promise<void> {
    // Not even a mandatory plugin is switched on while it could not keep its data (auth "none").
    const extensions = this.specter.extensionManager.extensions
      .filter((e) => !this.activationBlocker(e))
      .map((e) => ({ id: e.id, optionality: e.manifest.optionality }));
    for (const user of this.specter.userManager.list()) {
      const next = applyOptionality(user.services, user.record.services_removed ?? [], extensions);
      if (next.length !== user.services.length) await this.specter.userManager.setServices(user.id, next);
    }
  }
}
