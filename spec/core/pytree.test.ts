/**
 * Parameter trees: flatten/unflatten round trips of random nested records and arrays (with
 * tensor leaves and static non-tensor leaves), the leaf order (sorted record keys), leaf
 * counts, paths, leafwise map/zip, and clear errors on leaf-count mismatches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

const { flatten, unflatten, leafCount, treeMap, treeZip, treePaths } = T.tree;

/** Random trees: records (random keys), arrays, tensor leaves and static leaves. */
const treeArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('record')),
  leaf: fc.oneof(
    fc.integer({ min: -5, max: 5 }).map((v) => T.tensor([v, v + 1])),
    fc.constantFrom<unknown>(3, 'relu', true, null),
  ),
  array: fc.array(tie('tree'), { maxLength: 3 }),
  record: fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), tie('tree'), { maxKeys: 3 }),
})).tree;

/** Structural equality in which tensors are compared by identity. */
function sameTree(a: unknown, b: unknown): boolean {
  if (a instanceof T.Tensor || b instanceof T.Tensor) return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTree(x, b[i]));
  if (typeof a === 'object' && a !== null) {
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.join('\u0000') === kb.join('\u0000') && ka.every((k) => sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** The tensor leaves found by an independent walk (record keys sorted). */
function leavesOf(x: unknown): Tensor[] {
  if (x instanceof T.Tensor) return [x];
  if (Array.isArray(x)) return x.flatMap(leavesOf);
  if (typeof x === 'object' && x !== null) return Object.keys(x).sort().flatMap((k) => leavesOf((x as Record<string, unknown>)[k]));
  return [];
}

describe('flatten / unflatten', () => {
  it('round-trips random nested records and arrays', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const [leaves, def] = flatten(tree);
        expect(leaves).toEqual(leavesOf(tree));
        expect(leafCount(def)).toBe(leaves.length);
        expect(sameTree(unflatten(def, leaves), tree)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rebuilds the same structure around new leaves', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const [leaves, def] = flatten(tree);
        const fresh = leaves.map(() => T.zeros([1]));
        const rebuilt = unflatten(def, fresh);
        expect(leavesOf(rebuilt)).toEqual(fresh);
        expect(flatten(rebuilt)[1]).toEqual(def);
      }),
      { numRuns: 100 },
    );
  });

  it('orders leaves by sorted record keys, arrays in index order', () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((v) => T.scalar(v));
    const [leaves] = flatten({ z: a, a: [b, { y: c, x: d }], m: 'static' });
    expect(leaves).toEqual([b, d, c, a]);
    expect(treePaths({ z: a, a: [b, { y: c, x: d }] })).toEqual(['a[0]', 'a[1].x', 'a[1].y', 'z']);
  });

  it('keeps non-tensor leaves as static data in the treedef', () => {
    const [leaves, def] = flatten({ act: 'gelu', depth: 4, w: T.scalar(1), flag: false, none: null });
    expect(leaves).toHaveLength(1);
    expect(unflatten(def, [T.scalar(2)])).toMatchObject({ act: 'gelu', depth: 4, flag: false, none: null });
  });

  it('names the leaf-count mismatch', () => {
    const [, def] = flatten([T.scalar(1), T.scalar(2)]);
    expect(() => unflatten(def, [T.scalar(1)])).toThrow('the tree needs more than 1 leaves');
    expect(() => unflatten(def, [T.scalar(1), T.scalar(2), T.scalar(3)])).toThrow('the tree takes 2 leaves, got 3');
  });
});

describe('treeMap / treeZip', () => {
  it('treeMap applies f to every tensor leaf with its path and keeps the rest', () => {
    const params = { layers: [{ w: T.tensor([1, 2]) }, { w: T.tensor([3]) }], name: 'net' };
    const seen: string[] = [];
    const doubled = treeMap(params, (t, path) => {
      seen.push(path);
      return T.mul(t as Tensor<'f32'>, 2);
    });
    expect(seen).toEqual(['layers[0].w', 'layers[1].w']);
    expect(doubled.name).toBe('net');
    expect(Array.from(doubled.layers[0].w.data64())).toEqual([2, 4]);
    expect(Array.from(doubled.layers[1].w.data64())).toEqual([6]);
  });

  it('treeZip combines trees of the same structure leafwise and rejects different leaf counts', () => {
    const a = { b: T.tensor([1, 2]), w: T.tensor([10]) };
    const b = { b: T.tensor([5, 5]), w: T.tensor([1]) };
    const sum = treeZip([a, b], ([x, y]) => T.add(x as Tensor<'f32'>, y as Tensor<'f32'>));
    expect(Array.from(sum.b.data64())).toEqual([6, 7]);
    expect(Array.from(sum.w.data64())).toEqual([11]);
    expect(() => treeZip([a, { b: T.tensor([1, 2]) } as typeof a], ([x]) => x)).toThrow('tree 1 has 1 leaves, expected 2');
  });
});
