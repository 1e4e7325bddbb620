/**
 * The ListOps grammar of the Long Range Arena benchmark: random expression trees over the
 * digits 0..9 with the operators MIN, MAX, MED (median, truncated to an integer) and SM (sum
 * modulo 10); their evaluation, LRA's TSV serialization and LRA's tokenization.
 *
 * Sampling (LRA:lra_benchmarks/data/listops.py): at depth < maxDepth draw r ~ U[0,1),
 * otherwise r = 1. If r > valueP emit a digit (uniform 0..9, length 1). Else draw the number of
 * arguments uniformly in 2..maxArgs inclusive, generate each argument at depth + 1, then draw
 * the operator uniformly; length = 2 (operator and "]") + the argument lengths.
 */
import { RandomSource } from './rng';

export const LISTOPS_OPERATORS = ['[MIN', '[MAX', '[MED', '[SM'] as const;
export type ListOpsOperator = (typeof LISTOPS_OPERATORS)[number];
export const LISTOPS_END = ']';

export interface ListOpsNode {
  readonly op: ListOpsOperator;
  readonly args: readonly ListOpsTree[];
}
/** A digit leaf or an operator node. */
export type ListOpsTree = number | ListOpsNode;

export interface ListOpsGrammar {
  /** Depth at which a leaf is forced (LRA: 10; the root has depth 1). */
  readonly maxDepth: number;
  /** Largest number of operator arguments (LRA: 10). */
  readonly maxArgs: number;
  /** Leaf threshold: a leaf is emitted when r > valueP (LRA: 0.25). */
  readonly valueP: number;
}

export const LRA_LISTOPS_GRAMMAR: ListOpsGrammar = { maxDepth: 10, maxArgs: 10, valueP: 0.25 };

/** A sampled tree and its token count (parentheses excluded). */
export interface SampledTree {
  readonly tree: ListOpsTree;
  readonly length: number;
}

/** Samples one tree with the LRA recipe (draw order: r, then arity, then arguments, then operator). */
export function sampleTree(random: RandomSource, grammar: ListOpsGrammar = LRA_LISTOPS_GRAMMAR, depth = 1): SampledTree {
  const r = depth < grammar.maxDepth ? random.next() : 1;
  if (r > grammar.valueP) return { tree: random.int(0, 9), length: 1 };
  const arity = random.int(2, grammar.maxArgs);
  const args: ListOpsTree[] = [];
  let length = 2;
  for (let i = 0; i < arity; i++) {
    const child = sampleTree(random, grammar, depth + 1);
    args.push(child.tree);
    length += child.length;
  }
  const op = LISTOPS_OPERATORS[random.int(0, LISTOPS_OPERATORS.length - 1)];
  return { tree: { op, args }, length };
}

/** Median as int(numpy.median(values)): an even count averages the middle pair, truncated toward zero. */
export function truncatedMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.trunc(median);
}

/** Applies one operator to evaluated arguments. */
export function applyOperator(op: ListOpsOperator, values: readonly number[]): number {
  switch (op) {
    case '[MIN':
      return Math.min(...values);
    case '[MAX':
      return Math.max(...values);
    case '[MED':
      return truncatedMedian(values);
    case '[SM':
      return values.reduce((sum, v) => sum + v, 0) % 10;
  }
}

/** The value of a tree (its class label, 0..9). */
export function evaluateTree(tree: ListOpsTree): number {
  return typeof tree === 'number' ? tree : applyOperator(tree.op, tree.args.map(evaluateTree));
}

/** Deepest operator nesting (0 for a leaf, 1 for an operator over digits). */
export function operatorDepth(tree: ListOpsTree): number {
  return typeof tree === 'number' ? 0 : 1 + Math.max(...tree.args.map(operatorDepth));
}

/** The token sequence of a tree after LRA tokenization, with "]" written as "X". */
export function treeTokens(tree: ListOpsTree, out: string[] = []): string[] {
  if (typeof tree === 'number') {
    out.push(String(tree));
    return out;
  }
  out.push(tree.op);
  for (const arg of tree.args) treeTokens(arg, out);
  out.push('X');
  return out;
}

/**
 * LRA's TSV "Source" string: the tree as nested binary tuples (((op, a1), a2), ..., "]"),
 * each printed as "( X Y )". E.g. [MAX 2 9 ] becomes "( ( ( [MAX 2 ) 9 ) ] )".
 */
export function toLraSource(tree: ListOpsTree): string {
  if (typeof tree === 'number') return String(tree);
  let text: string = tree.op;
  for (const arg of tree.args) text = `( ${text} ${toLraSource(arg)} )`;
  return `( ${text} ${LISTOPS_END} )`;
}

/** LRA/S4/S5 tokenization of a Source string: "]" -> "X", drop "(" and ")", split on whitespace. */
export function tokenizeLraSource(source: string): string[] {
  return source
    .replace(/\]/g, 'X')
    .replace(/[()]/g, '')
    .split(/\s+/)
    .filter((token) => token !== '');
}
