import type { Blueprint } from 'specter-ts';
import type NotesExtension from './index.js';

const MAX_NOTE = 2000;

/** The default blueprint: `/spc/ext/notes/` (list and add) and `/spc/ext/notes/settings` (a settings tab). */
export default function controller(bp: Blueprint, ext: NotesExtension): void {
  bp.get('/', 'index', async (_request, reply) => reply.render('notes/index.njk', { notes: await ext.notes() }));

  bp.post('/', 'add', async (request, reply) => {
    const text = String((request.body as { text?: string } | undefined)?.text ?? '').trim();
    if (text && text.length <= MAX_NOTE) await ext.addNote(text);
    return reply.redirect(`${ext.host.config.EXT_URL_PREFIX}/notes/`);
  });

  bp.post('/:noteId/delete', 'delete', async (request, reply) => {
    await ext.removeNote((request.params as { noteId: string }).noteId);
    return reply.redirect(`${ext.host.config.EXT_URL_PREFIX}/notes/`);
  });

  bp.get('/settings', 'settings', async (_request, reply) =>
    reply.render('notes/settings.njk', { count: (await ext.notes()).length, active_tab: 'notes:settings' }));
}
