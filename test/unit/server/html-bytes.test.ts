/**
 * HtmlBytes and pageBytes (src/server/views.ts): HTML kept as bytes goes into the page where the
 * template outputs it, and the page's bytes are exactly those of the same page rendered as one string.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import nunjucks from 'nunjucks';
import { HtmlBytes, createViewEnvironment, pageBytes } from '../../../src/server/views.js';

describe('HtmlBytes in a rendered page', () => {
  let root: string;
  let env: nunjucks.Environment;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'specter-html-bytes-'));
    await writeFile(path.join(root, 'page.njk'), '<h1>{{ title }} ▼</h1>\n<ul>{{ rows }}</ul>\n<p>{{ rows }}{{ note }}</p>');
    env = createViewEnvironment({ searchPaths: [root], noCache: false });
  });
  after(() => rm(root, { recursive: true, force: true }));

  const rows = '<li>Café → 0.001 BTC</li><li>“Rent” · 5 sats</li>';

  it('the page is the bytes of the same page rendered with the HTML as a string, wherever and however often it is output', () => {
    const context = { title: 'A & B', rows: new HtmlBytes(rows), note: '<b>' };
    const expected = Buffer.from(env.render('page.njk', { ...context, rows: new nunjucks.runtime.SafeString(rows) }));
    const sent = pageBytes(env.render('page.njk', context), context);
    assert.ok(sent.equals(expected), `${sent.toString()}\n!==\n${expected.toString()}`);
    assert.match(sent.toString(), /<h1>A &amp; B ▼<\/h1>\n<ul><li>Café → 0\.001 BTC<\/li><li>“Rent” · 5 sats<\/li><\/ul>\n<p><li>Café/);
    assert.ok(!sent.includes(0), 'no marker is left');
  });

  it('a page without HtmlBytes is its string as UTF-8; HtmlBytes the template does not show change nothing', () => {
    const html = env.render('page.njk', { title: 'x', rows: 'plain <i>', note: '' });
    assert.ok(pageBytes(html, { title: 'x', rows: 'plain <i>' }).equals(Buffer.from(html)));
    assert.ok(pageBytes(html, { title: 'x', unused: new HtmlBytes('<p>never shown</p>') }).equals(Buffer.from(html)));
  });

  it('text that looks like a marker (a search echoed in the page) is never swapped for the bytes', () => {
    const kept = new HtmlBytes('<li>secret rows</li>');
    const typed = `\u0000html-bytes-${kept.id}\u0000`;
    const context = { title: typed, rows: kept, note: '' };
    const sent = pageBytes(env.render('page.njk', context), context).toString();
    assert.ok(sent.startsWith(`<h1>${typed} ▼</h1>`), 'the typed text stays as it was');
    assert.equal(sent.split('secret rows').length - 1, 2, 'only the two places the template outputs the rows');
  });
});
