import type { Blueprint } from 'specter-ts';
import type NotesExtension from './index.js';

/** A keyed blueprint, mounted at `/spc/ext/notes/api/`: the user's notes as JSON for the page's own use. */
export default function apiController(bp: Blueprint, ext: NotesExtension): void {
  bp.get('/', 'index', async () => ({ notes: await ext.notes() }));
}
