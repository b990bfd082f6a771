import { Extension, type ExtensionTab } from 'specter-ts';

export interface Note {
  id: string;
  text: string;
  created: string;
}

/**
 * Notes: per-user notes kept in the unencrypted extension store (the manifest has no
 * `encryptData`). The manifest lives in package.json; the class adds behaviour only.
 */
export default class NotesExtension extends Extension {
  override callback_add_settingstabs(): ExtensionTab[] {
    return [{ title: 'Notes', endpoint: 'settings' }];
  }

  async notes(): Promise<Note[]> {
    const data = await this.getCurrentUserServiceData();
    return Array.isArray(data.notes) ? (data.notes as Note[]) : [];
  }

  async addNote(text: string): Promise<Note> {
    const note: Note = { id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, text, created: new Date().toISOString() };
    await this.updateCurrentUserServiceData({ notes: [...(await this.notes()), note] });
    return note;
  }

  async removeNote(id: string): Promise<void> {
    await this.updateCurrentUserServiceData({ notes: (await this.notes()).filter((n) => n.id !== id) });
  }
}
