/**
 * Type tests of the public extension API: each `@ts-expect-error` line must NOT compile. If the API
 * ever hands out one of these again, the directive becomes unused and `npm run build` fails. The
 * runtime part only checks that the functions exist; the value of this file is in compiling.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Extension, type Blueprint, type ExtensionContext } from '../../../src/index.js';

interface NotesData {
  notes: Array<{ id: string; text: string }>;
}

class Typed extends Extension<NotesData> {
  async count(): Promise<number> {
    const data = await this.ctx.storage.get();
    return data.notes?.length ?? 0;
  }

  async wrongShapes(): Promise<void> {
    // @ts-expect-error storage is typed by the Data the author gave
    await this.ctx.storage.set({ notes: 'not a list' });
    // @ts-expect-error update's function returns the same shape
    await this.ctx.storage.update(() => ({ notes: 3 }));
  }

  reachForMore(): void {
    // @ts-expect-error no host: the context is all an extension gets
    void this.host;
    // @ts-expect-error no services bag
    void this.ctx.services;
    // @ts-expect-error no registry of all callbacks
    void this.ctx.callbacks.list;
    // @ts-expect-error no extension manager
    void this.ctx.extensions;
    // @ts-expect-error no app-wide file store that writes any path
    void this.ctx.store;
    // @ts-expect-error storage is bound to this extension: no id to name another one
    void this.ctx.storage.get('notes');
    // @ts-expect-error nor a flag that picks the other (encrypted / plain) file
    void this.ctx.storage.get(true);
    // @ts-expect-error the v1 convenience methods are gone
    void this.getCurrentUserServiceData;
  }

  async userFields(): Promise<void> {
    const me = this.ctx.users.current();
    // @ts-expect-error a user is {id, name, isAdmin}: no record, no password hash
    void me?.record;
    // @ts-expect-error no password
    void me?.password_hash;
    const first = this.ctx.users.list()[0];
    // @ts-expect-error nor the user's activated services or settings
    void first?.services;
  }
}

function controller(bp: Blueprint, ext: Typed): void {
  bp.get('/', 'index', async (request) => {
    // @ts-expect-error the request user is a UserInfo too
    void request.user?.record;
    // @ts-expect-error the app root is not on a plugin's request
    void request.specter;
    return { count: await ext.count(), name: request.user?.name };
  });
}

test('the extension API types compile as documented (see the @ts-expect-error lines)', () => {
  assert.equal(typeof Typed.prototype.count, 'function');
  assert.equal(typeof controller, 'function');
  const members: Array<keyof ExtensionContext> = [
    'storage',
    'files',
    'wallets',
    'addresses',
    'annotations',
    'users',
    'activation',
    'scheduler',
    'callbacks',
    'http',
    'inspect',
    'urlFor',
    'asUser',
    'onDispose',
  ];
  assert.equal(new Set(members).size, 14);
});
