/**
 * static/js/psbt-qr.js, the animated-QR cycler, run in a VM with just enough DOM for it and
 * node:test's mock timers (no waiting on the wall clock).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import vm from 'node:vm';
import { repoRoot } from '../../helpers/files.js';

class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: FakeElement[] = [];
  readonly style = { display: '' };
  readonly listeners = new Map<string, Array<() => void>>();
  textContent = '';
  constructor(
    readonly tagName: string,
    attributes: Record<string, string> = {},
  ) {
    for (const [k, v] of Object.entries(attributes)) this.attributes.set(k, v);
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  append(...els: FakeElement[]): this {
    this.children.push(...els);
    return this;
  }
  /** Only attribute selectors `[name]` are needed, searched depth-first. */
  querySelectorAll(selector: string): FakeElement[] {
    const name = /^\[([a-z-]+)\]$/.exec(selector)?.[1];
    if (!name) throw new Error(`fake DOM: unsupported selector ${selector}`);
    const found: FakeElement[] = [];
    const walk = (el: FakeElement): void => {
      for (const child of el.children) {
        if (child.hasAttribute(name)) found.push(child);
        walk(child);
      }
    };
    walk(this);
    return found;
  }
  querySelector(selector: string): FakeElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  dispatch(type: string): void {
    for (const fn of this.listeners.get(type) ?? []) fn();
  }
}

const script = fs.readFileSync(path.join(repoRoot(), 'static/js/psbt-qr.js'), 'utf8');

function load(body: FakeElement): { window: Record<string, unknown> } {
  const window: Record<string, unknown> = {
    setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
    clearInterval: (t: ReturnType<typeof setInterval>) => clearInterval(t),
  };
  vm.runInNewContext(script, { window, document: body });
  return { window };
}

function visible(container: FakeElement): number[] {
  return container.children.flatMap((el, i) => (el.tagName !== 'P' && el.style.display === '' ? [i] : []));
}

describe('static/js/psbt-qr.js', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  function page(frames: number, attributes: Record<string, string> = {}) {
    const counter = new FakeElement('P', { 'data-ur-counter': '' });
    const container = new FakeElement('DIV', { 'data-ur-frames': '', ...attributes });
    for (let i = 0; i < frames; i++) container.append(new FakeElement(i % 2 ? 'svg' : 'IMG'));
    container.append(counter);
    const body = new FakeElement('BODY').append(container);
    return { container, counter, body };
  }

  it('shows one frame at a time, the next every 300 ms, round and round, with a counter', () => {
    const { container, counter, body } = page(3);
    load(body);
    assert.deepEqual(visible(container), [0]);
    assert.equal(counter.textContent, 'Frame 1 of 3');
    assert.equal(container.getAttribute('data-ur-index'), '0');
    mock.timers.tick(299);
    assert.deepEqual(visible(container), [0]);
    mock.timers.tick(1);
    assert.deepEqual(visible(container), [1]);
    assert.equal(counter.textContent, 'Frame 2 of 3');
    mock.timers.tick(600);
    assert.deepEqual(visible(container), [0], 'after the last frame comes the first');
    assert.equal(container.getAttribute('data-ur-index'), '0');
  });

  it('pauses while hovered or focused, and says so', () => {
    const { container, counter, body } = page(4);
    load(body);
    mock.timers.tick(300);
    container.dispatch('mouseenter');
    assert.equal(counter.textContent, 'Frame 2 of 4 (paused)');
    mock.timers.tick(3000);
    assert.deepEqual(visible(container), [1]);
    container.dispatch('focusin');
    container.dispatch('mouseleave');
    mock.timers.tick(3000);
    assert.deepEqual(visible(container), [1], 'still focused');
    container.dispatch('focusout');
    assert.equal(counter.textContent, 'Frame 2 of 4');
    mock.timers.tick(300);
    assert.deepEqual(visible(container), [2]);
  });

  it('honours data-interval, leaves a single frame alone, and can be stopped', () => {
    const { container, body } = page(2, { 'data-interval': '1000' });
    const single = page(1);
    body.append(single.container);
    const { window } = load(body);
    mock.timers.tick(999);
    assert.deepEqual(visible(container), [0]);
    mock.timers.tick(1);
    assert.deepEqual(visible(container), [1]);
    assert.equal(single.container.getAttribute('data-ur-index'), null);
    assert.equal(single.counter.textContent, '');
    // Started twice (a page that calls animate again) it does not run two clocks.
    const api = window.specterUrFrames as { animate(c: FakeElement, t: unknown): { stop(): void } | null };
    assert.equal(api.animate(container, window), null);
    const fresh = page(2);
    const handle = api.animate(fresh.container, window);
    handle?.stop();
    mock.timers.tick(5000);
    assert.deepEqual(visible(fresh.container), [0]);
  });
});
