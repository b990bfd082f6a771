import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dependencyOrder, findCycles, resolveExtensions, type ResolvableCandidate } from '../../../src/extensions/index.js';

type Spec = {
  id: string;
  depends?: Array<string | { id: string; range: string }>;
  sortPriority?: number;
  version?: string;
  devstatus?: 'alpha' | 'beta' | 'prod';
  engines?: string;
};

function candidates(specs: Spec[]): ResolvableCandidate[] {
  return specs.map((s) => ({
    path: `/ext/${s.id}`,
    manifest: {
      id: s.id,
      version: s.version ?? '1.0.0',
      devstatus: s.devstatus ?? 'prod',
      sortPriority: s.sortPriority ?? 0,
      depends: (s.depends ?? []).map((d) => (typeof d === 'string' ? { id: d } : d)),
      ...(s.engines ? { engines: s.engines } : {}),
    },
  }));
}

const opts = { appVersion: '0.1.0', threshold: 'beta' as const };

function statusOf(result: ReturnType<typeof resolveExtensions>, id: string) {
  const r = result.all.find((x) => x.candidate.manifest?.id === id || x.candidate.id === id);
  assert.ok(r, `no candidate ${id}`);
  return { status: r.status, reason: r.reason };
}

describe('ordering (Specter callback order)', () => {
  // "C→A" means C depends on A. Levels: F,E=0; A,D get 1 from F; C,B get 2 from D; A gets 3 from C.
  // Sorted by (-level, -sortPriority): A(3); B(2,sp1) C(2,sp0); D(1); E(0,sp3) F(0,sp0).
  it("reproduces Specter's test: C→A, D→[C,B], F→[A,D], sp A=2 B=1 E=3 ⇒ A,B,C,D,E,F", () => {
    const specs: Spec[] = [
      { id: 'a', sortPriority: 2 },
      { id: 'b', sortPriority: 1 },
      { id: 'c', depends: ['a'] },
      { id: 'd', depends: ['c', 'b'] },
      { id: 'e', sortPriority: 3 },
      { id: 'f', depends: ['a', 'd'] },
    ];
    for (const input of [specs, [...specs].reverse(), [specs[5]!, specs[2]!, specs[0]!, specs[4]!, specs[3]!, specs[1]!]]) {
      const result = resolveExtensions(candidates(input), opts);
      assert.deepEqual(
        result.order.map((r) => r.candidate.manifest!.id),
        ['a', 'b', 'c', 'd', 'e', 'f'],
      );
      assert.deepEqual(Object.fromEntries(result.order.map((r) => [r.candidate.manifest!.id, r.dependencyLevel])), {
        a: 3,
        b: 2,
        c: 2,
        d: 1,
        e: 0,
        f: 0,
      });
    }
  });

  it('keeps discovery order for full ties', () => {
    const order = dependencyOrder([
      { id: 'z', depends: [], sortPriority: 0 },
      { id: 'y', depends: [], sortPriority: 0 },
    ]);
    assert.deepEqual(
      order.map((o) => o.node.id),
      ['z', 'y'],
    );
  });

  it('names each cycle', () => {
    const cycles = findCycles([
      { id: 'a', depends: ['b'], sortPriority: 0 },
      { id: 'b', depends: ['a'], sortPriority: 0 },
      { id: 'c', depends: ['a'], sortPriority: 0 },
      { id: 's', depends: ['s'], sortPriority: 0 },
    ]);
    assert.deepEqual(
      cycles.map((c) => c.path),
      [
        ['a', 'b', 'a'],
        ['s', 's'],
      ].sort(),
    );
  });
});

describe('resolveExtensions statuses', () => {
  it('fails every member of a cycle, naming it; dependents get missing-dependency; the rest loads', () => {
    const result = resolveExtensions(
      candidates([{ id: 'a', depends: ['b'] }, { id: 'b', depends: ['a'] }, { id: 'c', depends: ['a'] }, { id: 'd' }]),
      opts,
    );
    assert.deepEqual(statusOf(result, 'a'), { status: 'failed', reason: 'dependency cycle: a → b → a; remove one of these "depends" entries.' });
    assert.equal(statusOf(result, 'b').status, 'failed');
    assert.match(statusOf(result, 'b').reason, /dependency cycle: a → b → a/);
    assert.equal(statusOf(result, 'c').status, 'missing-dependency');
    assert.match(statusOf(result, 'c').reason, /depends on "a", which is failed \(dependency cycle/);
    assert.deepEqual(
      result.order.map((r) => r.candidate.manifest!.id),
      ['d'],
    );
  });

  it('gives the duplicate id to the first candidate and names both paths', () => {
    const cs = candidates([{ id: 'x' }, { id: 'x' }]);
    cs[1]!.path = '/other/x';
    const result = resolveExtensions(cs, opts);
    assert.equal(result.all[0]!.status, 'loaded');
    assert.equal(result.all[1]!.status, 'failed');
    assert.match(result.all[1]!.reason, /duplicate id "x": \/other\/x and \/ext\/x/);
  });

  it('applies the devstatus threshold {alpha:1,beta:2,prod:3}', () => {
    const cs = candidates([
      { id: 'al', devstatus: 'alpha' },
      { id: 'be', devstatus: 'beta' },
      { id: 'pr', devstatus: 'prod' },
    ]);
    const beta = resolveExtensions(cs, opts);
    assert.equal(statusOf(beta, 'al').status, 'below-devstatus');
    assert.match(statusOf(beta, 'al').reason, /devstatus "alpha" is below the threshold "beta"/);
    assert.equal(statusOf(beta, 'be').status, 'loaded');
    const prod = resolveExtensions(cs, { ...opts, threshold: 'prod' });
    assert.deepEqual(
      prod.order.map((r) => r.candidate.manifest!.id),
      ['pr'],
    );
    const alpha = resolveExtensions(cs, { ...opts, threshold: 'alpha' });
    assert.equal(alpha.order.length, 3);
  });

  it('checks engines against the app version', () => {
    const result = resolveExtensions(
      candidates([
        { id: 'new', engines: '>=2.0.0' },
        { id: 'ok', engines: '>=0.1.0 <1' },
      ]),
      opts,
    );
    assert.equal(statusOf(result, 'new').status, 'incompatible');
    assert.match(statusOf(result, 'new').reason, /requires Specter TS >=2\.0\.0, this is 0\.1\.0/);
    assert.equal(statusOf(result, 'ok').status, 'loaded');
  });

  it('reports unknown, not-loaded and version-mismatched dependencies, transitively', () => {
    const result = resolveExtensions(
      candidates([
        { id: 'needs_ghost', depends: ['ghost'] },
        { id: 'needs_needs', depends: ['needs_ghost'] },
        { id: 'old', version: '1.4.0' },
        { id: 'wants_new', depends: [{ id: 'old', range: '^2.0.0' }] },
        { id: 'wants_old', depends: [{ id: 'old', range: '~1.4' }] },
        { id: 'alpha_dep', devstatus: 'alpha' },
        { id: 'needs_alpha', depends: ['alpha_dep'] },
      ]),
      opts,
    );
    assert.deepEqual(statusOf(result, 'needs_ghost'), {
      status: 'missing-dependency',
      reason: 'depends on "ghost", which is not installed; install it or remove it from "depends".',
    });
    assert.equal(statusOf(result, 'needs_needs').status, 'missing-dependency');
    assert.match(statusOf(result, 'needs_needs').reason, /depends on "needs_ghost", which is missing-dependency/);
    assert.deepEqual(statusOf(result, 'wants_new'), {
      status: 'incompatible',
      reason: 'depends on "old" ^2.0.0, but version 1.4.0 is installed; install a matching version.',
    });
    assert.equal(statusOf(result, 'wants_old').status, 'loaded');
    assert.match(statusOf(result, 'needs_alpha').reason, /depends on "alpha_dep", which is below-devstatus/);
  });

  it('marks explicitly disabled ids, and keeps pre-decided statuses', () => {
    const cs: ResolvableCandidate[] = [
      ...candidates([{ id: 'off' }, { id: 'on' }]),
      { path: '/broken', id: 'broken', preStatus: { status: 'failed', reason: 'bad manifest' } },
    ];
    const result = resolveExtensions(cs, { ...opts, disabled: ['off'] });
    assert.equal(statusOf(result, 'off').status, 'disabled');
    assert.deepEqual(statusOf(result, 'broken'), { status: 'failed', reason: 'bad manifest' });
    assert.deepEqual(
      result.order.map((r) => r.candidate.manifest!.id),
      ['on'],
    );
  });
});
