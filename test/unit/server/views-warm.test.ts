/**
 * Core templates are compiled before the server listens (warmViewEnvironment): every .njk under
 * the root, sub-folders included, and a template that does not compile stops the start naming
 * the file instead of failing a user's first page.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createViewEnvironment, warmViewEnvironment } from '../../../src/server/views.js';

describe('template warm-up', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'specter-views-'));
    await mkdir(path.join(root, 'wallets'));
    await writeFile(path.join(root, 'base.njk'), '<p>{% block body %}{% endblock %}</p>');
    await writeFile(path.join(root, 'wallets', 'page.njk'), '{% extends "base.njk" %}{% block body %}{{ n | number }}{% endblock %}');
    await writeFile(path.join(root, 'notes.txt'), 'not a template');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('compiles every template of the tree once, and rendering then reads no file', async () => {
    const env = createViewEnvironment({ searchPaths: [root], noCache: false });
    assert.equal(await warmViewEnvironment(env, root), 2);
    await rm(path.join(root, 'wallets', 'page.njk'));
    assert.equal(env.render('wallets/page.njk', { n: 12345 }), '<p>12,345</p>', 'served from the compiled cache');
  });

  it('a template that does not compile fails the warm-up with its name', async () => {
    await writeFile(path.join(root, 'broken.njk'), '{% if %}');
    const env = createViewEnvironment({ searchPaths: [root], noCache: false });
    await assert.rejects(warmViewEnvironment(env, root), /broken\.njk/);
  });
});
