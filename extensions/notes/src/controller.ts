import type { Blueprint, ExtReply } from 'specter-ts';
import type NotesExtension from './index.js';

/** Longest note kept; the page states it, and a longer note is shown again with an error, never dropped. */
export const MAX_NOTE = 2000;

/** Why a note is refused, or null when it can be saved. */
export function noteProblem(text: string): string | null {
  if (!text) return 'The note is empty.';
  if (text.length > MAX_NOTE) {
    return `The note is ${text.length.toLocaleString('en-US')} characters long; the limit is ${MAX_NOTE.toLocaleString('en-US')}. Shorten it or split it into two notes.`;
  }
  return null;
}

/** The default blueprint: `/spc/ext/notes/` (list and add) and `/spc/ext/notes/settings` (a settings tab). */
export default function controller(bp: Blueprint, ext: NotesExtension): void {
  const page = async (reply: ExtReply, extra: { error?: string; text?: string } = {}) =>
    reply.render('notes/index.njk', { notes: await ext.notes(), max_note: MAX_NOTE, error: extra.error ?? null, text: extra.text ?? '' });

  bp.get('/', 'index', async (_request, reply) => page(reply));

  bp.post('/', 'add', async (request, reply) => {
    const raw = (request.body as { text?: unknown } | undefined)?.text;
    const text = (typeof raw === 'string' ? raw : '').trim();
    const problem = noteProblem(text);
    if (problem) {
      reply.code(400);
      return page(reply, { error: problem, text: typeof raw === 'string' ? raw : '' });
    }
    await ext.addNote(text);
    return reply.redirect(ext.ctx.urlFor('.index'));
  });

  bp.post('/:noteId/delete', 'delete', async (request, reply) => {
    await ext.removeNote((request.params as { noteId: string }).noteId);
    return reply.redirect(ext.ctx.urlFor('.index'));
  });

  bp.get('/settings', 'settings', async (_request, reply) =>
    reply.render('notes/settings.njk', { count: (await ext.notes()).length, active_tab: 'notes:settings' }),
  );
}
