import { UserServiceStore } from './user-store.js';

/**
 * `<data>/users/<username>/unencrypted_services.json` (Specter's `<username>_unencrypted_services.json`): each entry is the extension's JSON text as it
 * is. Usable without a password (auth `none`, after a restart), so nothing secret belongs here.
 * The version marker is written (as Specter does) but not enforced: plain JSON has no versions.
 */
export class UnencryptedUserStore extends UserServiceStore {
  protected override encode(_extId: string, text: string): string {
    return text;
  }

  protected override decode(_extId: string, stored: string): string {
    return stored;
  }
}
