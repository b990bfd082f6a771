import { Extension, type ExtensionTab } from 'specter-ts';

export interface Note {
  id: string;
  text: string;
  created: string;
}

/** What the extension keeps per user (unencrypted store: the manifest has no `encryptData`). */
export interface NotesData {
  notes: Note[];
}

/**
 * Notes: per-user notes. The manifest lives in package.json; the class adds behaviour only. Every
 * change is one atomic `ctx.storage.update`, so two notes added at once are both kept.
 */
export default class NotesExtension extends Extension<NotesData> {
  override callback_add_settingstabs(): ExtensionTab[] {
    return [{ title: 'Notes', endpoint: 'settings' }];
  }

  async notes(): Promise<Note[]> {
    const data = await this.ctx.storage.get();
    return Array.isArray(data.notes) ? data.notes : [];
  }

  async addNote(text: string): Promise<Note> {
    const note: Note = { id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, text, created: new Date().toISOString() };
    await this.ctx.storage.update((data) => ({ ...data, notes: [...(Array.isArray(data.notes) ? data.notes : []), note] }));
    return note;
  }

  async removeNote(id: string): Promise<void> {
    await this.ctx.storage.update((data) => ({ ...data, notes: (Array.isArray(data.notes) ? data.notes : []).filter((n) => n.id !== id) }));
  }
}
