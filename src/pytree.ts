/**
 * Parameter trees (pytrees): nested records and arrays whose leaves are tensors. flatten gives
 * the leaves in a fixed order (record keys sorted) plus a treedef to rebuild the same shape;
 * map and zip apply functions leafwise. Non-tensor leaves (numbers, strings, booleans, null)
 * are kept in the treedef as static data.
 */
import { Tensor } from './tensor';

export type PyTree<L = Tensor> = L | readonly PyTree<L>[] | { readonly [k: string]: PyTree<L> } | number | string | boolean | null | undefined;

export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'static'; readonly value: unknown }
  | { readonly kind: 'array'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor);

export function flatten(tree: unknown, isLeaf: (x: unknown) => boolean = (x) => x instanceof Tensor): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const walk = (x: unknown): TreeDef => {
    if (isLeaf(x)) {
      leaves.push(x);
      return { kind: 'leaf' };
    }
    if (Array.isArray(x)) return { kind: 'array', children: x.map(walk) };
    if (isRecord(x)) {
      const keys = Object.keys(x).sort();
      return { kind: 'record', keys, children: keys.map((k) => walk(x[k])) };
    }
    return { kind: 'static', value: x };
  };
  const def = walk(tree);
  return [leaves, def];
}

export function unflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case 'leaf':
        if (i >= leaves.length) throw new Error(`unflatten: the tree needs more than ${leaves.length} leaves`);
        return leaves[i++];
      case 'static':
        return d.value;
      case 'array':
        return d.children.map(build);
      case 'record':
        return Object.fromEntries(d.keys.map((k, j) => [k, build(d.children[j])]));
    }
  };
  const out = build(def);
  if (i !== leaves.length) throw new Error(`unflatten: the tree takes ${i} leaves, got ${leaves.length}`);
  return out as T;
}

export const leafCount = (def: TreeDef): number =>
  def.kind === 'leaf' ? 1 : def.kind === 'static' ? 0 : def.children.reduce((n, c) => n + leafCount(c), 0);

type LeafUnion<T> = T extends Tensor
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends readonly (infer E)[]
      ? LeafUnion<E>
      : T extends object
        ? { [K in keyof T]-?: LeafUnion<T[K]> }[keyof T]
        : never;

/** The tensor types at the leaves of a tree type (Tensor when the tree's type says nothing). */
export type LeafOf<T> = unknown extends T ? Tensor : [LeafUnion<T>] extends [never] ? Tensor : LeafUnion<T>;

/** Applies f to every tensor leaf, keeping the tree's shape (and its type). */
export function treeMap<T>(tree: T, f: (leaf: LeafOf<T> & Tensor, path: string) => Tensor): T {
  const walk = (x: unknown, path: string): unknown => {
    if (x instanceof Tensor) return f(x as LeafOf<T> & Tensor, path);
    if (Array.isArray(x)) return x.map((c, i) => walk(c, `${path}[${i}]`));
    if (isRecord(x)) return Object.fromEntries(Object.keys(x).map((k) => [k, walk(x[k], path ? `${path}.${k}` : k)]));
    return x;
  };
  return walk(tree, '') as T;
}

/** Applies f leafwise to trees of the same structure. */
export function treeZip<T>(trees: readonly T[], f: (leaves: (LeafOf<T> & Tensor)[], path: string) => Tensor): T {
  const defs = trees.map((t) => flatten(t));
  const [, def0] = defs[0];
  const paths = treePaths(trees[0]);
  defs.forEach(([leaves], k) => {
    if (leaves.length !== defs[0][0].length) throw new Error(`treeZip: tree ${k} has ${leaves.length} leaves, expected ${defs[0][0].length}`);
  });
  const out = defs[0][0].map((_, i) => f(defs.map(([leaves]) => leaves[i] as LeafOf<T> & Tensor), paths[i]));
  return unflatten(def0, out);
}

/** Dotted paths of the tensor leaves, in flatten order ("layers[0].B"). */
export function treePaths(tree: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown, path: string): void => {
    if (x instanceof Tensor) out.push(path);
    else if (Array.isArray(x)) x.forEach((c, i) => walk(c, `${path}[${i}]`));
    else if (isRecord(x)) for (const k of Object.keys(x).sort()) walk(x[k], path ? `${path}.${k}` : k);
  };
  walk(tree, '');
  return out;
}

/** The tensor leaves of a tree, in flatten order. */
export const leaves = (tree: unknown): Tensor[] => flatten(tree)[0] as Tensor[];
