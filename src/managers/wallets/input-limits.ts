/**
 * The limits of the wallet forms' free-text fields, stated once so the forms (maxlength, hints)
 * and the server checks say the same number. A pasted import bigger than this is refused with the
 * limit in the message before anything parses it; the form then shows the text again.
 *
 * 256 Ki characters keep a pasted JSON well under the server's 1 MiB form-body limit even after
 * URL encoding (`"` and `:` become three bytes each), so the user sees this message, not a
 * generic "body too large" page that loses the form.
 */
import { SpecterError } from '../../errors/index.js';

/** Most characters a pasted descriptor, wallet backup or labels file may have. */
export const MAX_IMPORT_TEXT = 256 * 1024;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Refuse text longer than `max` characters, naming the field and both numbers. */
export function checkTextLength(text: string, max: number, what: string, field: string, hint?: string): string {
  if (text.length > max) {
    throw new SpecterError('INPUT_TOO_LONG', `The ${what} is ${fmt(text.length)} characters long; the limit is ${fmt(max)}.`, {
      hint: hint ?? `Shorten it to at most ${fmt(max)} characters.`,
      details: { field, length: text.length, limit: max },
    });
  }
  return text;
}
