/**
 * ListOps datasets generated locally with the LRA recipe (listopsGrammar.ts), plus a parser
 * for LRA's own TSV files (`basic_{train,val,test}.tsv`, header `Source\tTarget`; listopsFile.ts
 * reads them from disk). Works on text only, in browsers too.
 *
 * Acceptance: a sampled tree is kept only if minLength < length < maxLength (strict; LRA uses
 * 500 and 2000). Accepted trees are de-duplicated as a set (by token sequence) in insertion
 * order until nTrain + nVal + nTest distinct trees exist; the first nTrain are train, the next
 * nVal validation, the last nTest test. (LRA lists a Python set, whose order is hash-based;
 * insertion order is used here so that a seed fixes the splits.)
 *
 * Encoding (S4/S5): tokens, then <eos>, padded with <pad> to `padTo` steps. Vocabulary ids:
 * <pad>=0, <unk>=1, <eos>=2, digits "0".."9" = 3..12, [MIN=13, [MAX=14, [MED=15, [SM=16, X=17
 * (18 symbols); inputs are one-hot encoded into inDim = 20 channels as in S5. torchtext orders
 * the non-special symbols by frequency, which only relabels channels of a one-hot input.
 */
import { FormatError } from '../io/formatError';
import { Dataset, DatasetSplits } from './dataset';
import { LISTOPS_OPERATORS, LRA_LISTOPS_GRAMMAR, ListOpsGrammar, applyOperator, evaluateTree, sampleTree, treeTokens } from './listopsGrammar';
import { seededRandom } from './rng';

export const LISTOPS_VOCAB: readonly string[] = ['<pad>', '<unk>', '<eos>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ...LISTOPS_OPERATORS, 'X'];
export const PAD_ID = 0;
export const UNK_ID = 1;
export const EOS_ID = 2;
/** One-hot width used by S5 for ListOps (the vocabulary has 18 symbols). */
export const LISTOPS_IN_DIM = 20;

const TOKEN_IDS = new Map(LISTOPS_VOCAB.map((token, id) => [token, id]));

export interface ListOpsSample {
  /** Tokens after LRA tokenization ("]" written as "X"), without <eos>. */
  readonly tokens: readonly string[];
  readonly label: number;
}

export interface ListOpsOptions {
  readonly seed: number;
  readonly nTrain?: number;
  readonly nVal?: number;
  readonly nTest?: number;
  /** Exclusive lower bound on the token count (LRA: 500). */
  readonly minLength?: number;
  /** Exclusive upper bound on the token count (LRA: 2000). */
  readonly maxLength?: number;
  readonly grammar?: ListOpsGrammar;
  /** Padded sequence length; default maxLength (room for the longest tree, maxLength - 1 tokens, plus <eos>). S5 uses 2048. */
  readonly padTo?: number;
  /** Give up after this many sampled trees (default: 10,000 per requested sample). */
  readonly maxAttempts?: number;
}

export interface ListOpsStats {
  /** Trees sampled. */
  readonly generated: number;
  /** Trees inside the length window (duplicates included). */
  readonly accepted: number;
  /** Accepted trees dropped as duplicates. */
  readonly duplicates: number;
}

/** Samples `count` distinct accepted trees; returns them with generation statistics. */
export function generateListOpsSamples(count: number, options: ListOpsOptions): { samples: ListOpsSample[]; stats: ListOpsStats } {
  const { seed, minLength = 500, maxLength = 2000, grammar = LRA_LISTOPS_GRAMMAR, maxAttempts = 10_000 * Math.max(count, 1) } = options;
  if (!(maxLength > minLength + 1)) throw new RangeError(`listops: need minLength + 1 < maxLength, got ${minLength} and ${maxLength}`);
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const samples: ListOpsSample[] = [];
  let generated = 0;
  let accepted = 0;
  while (samples.length < count) {
    if (generated >= maxAttempts) {
      throw new RangeError(`listops: only ${samples.length} of ${count} distinct trees with ${minLength} < length < ${maxLength} after ${generated} samples`);
    }
    const { tree, length } = sampleTree(random, grammar);
    generated++;
    if (!(length > minLength && length < maxLength)) continue;
    accepted++;
    const tokens = treeTokens(tree);
    const key = tokens.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    samples.push({ tokens, label: evaluateTree(tree) });
  }
  return { samples, stats: { generated, accepted, duplicates: accepted - samples.length } };
}

/** Token ids of a sample: tokens, <eos>, then <pad> up to padTo. Unknown tokens map to <unk>. */
export function encodeListOps(tokens: readonly string[], padTo: number): Int32Array {
  if (tokens.length + 1 > padTo) throw new RangeError(`listops: ${tokens.length} tokens plus <eos> do not fit in ${padTo} steps`);
  const ids = new Int32Array(padTo);
  tokens.forEach((token, i) => (ids[i] = TOKEN_IDS.get(token) ?? UNK_ID));
  ids[tokens.length] = EOS_ID;
  return ids;
}

/** Builds a padded token Dataset from samples. */
export function listOpsDataset(name: string, samples: readonly ListOpsSample[], padTo: number): Dataset {
  const data = new Int32Array(samples.length * padTo);
  const labels = new Int32Array(samples.length);
  const lengths = new Int32Array(samples.length);
  samples.forEach((sample, i) => {
    data.set(encodeListOps(sample.tokens, padTo), i * padTo);
    labels[i] = sample.label;
    lengths[i] = sample.tokens.length + 1;
  });
  return {
    name,
    size: samples.length,
    seqLen: padTo,
    inputs: { kind: 'tokens', data, vocabSize: LISTOPS_VOCAB.length, inDim: LISTOPS_IN_DIM },
    targets: { kind: 'classes', labels, numClasses: 10 },
    lengths,
  };
}

/** Generated ListOps train/val/test (LRA sizes 96,000 / 2,000 / 2,000 by default). */
export function listOpsSplits(options: ListOpsOptions): DatasetSplits & { stats: ListOpsStats } {
  const { nTrain = 96_000, nVal = 2_000, nTest = 2_000, maxLength = 2000 } = options;
  const padTo = options.padTo ?? maxLength;
  const { samples, stats } = generateListOpsSamples(nTrain + nVal + nTest, options);
  return {
    train: listOpsDataset('listops/train', samples.slice(0, nTrain), padTo),
    val: listOpsDataset('listops/val', samples.slice(nTrain, nTrain + nVal), padTo),
    test: listOpsDataset('listops/test', samples.slice(nTrain + nVal), padTo),
    stats,
  };
}

/**
 * Evaluates a tokenized expression (prefix form, "X" closing each operator), independently of
 * any tree object. Throws a RangeError on malformed input.
 */
export function evaluateTokens(tokens: readonly string[]): number {
  const stack: { op: (typeof LISTOPS_OPERATORS)[number]; values: number[] }[] = [];
  let result: number | undefined;
  tokens.forEach((token, position) => {
    if (result !== undefined) throw new RangeError(`listops: token "${token}" at position ${position} after the expression ended`);
    let value: number | undefined;
    if ((LISTOPS_OPERATORS as readonly string[]).includes(token)) {
      stack.push({ op: token as (typeof LISTOPS_OPERATORS)[number], values: [] });
    } else if (token === 'X') {
      const frame = stack.pop();
      if (frame === undefined || frame.values.length === 0) throw new RangeError(`listops: unmatched or empty "X" at position ${position}`);
      value = applyOperator(frame.op, frame.values);
    } else if (/^[0-9]$/.test(token)) {
      value = Number(token);
    } else {
      throw new RangeError(`listops: unknown token "${token}" at position ${position}`);
    }
    if (value === undefined) return;
    if (stack.length === 0) result = value;
    else stack[stack.length - 1].values.push(value);
  });
  if (result === undefined) throw new RangeError(`listops: expression is incomplete (${stack.length} operators left open)`);
  return result;
}

/** Parses the text of an LRA ListOps TSV file (header `Source\tTarget`), validating every row; `file` names it in errors. */
export function parseListOpsTsv(text: string, file: string, tokenize: (source: string) => string[]): ListOpsSample[] {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== 'Source\tTarget') throw new FormatError('bad header', { file, line: 1, expected: '"Source\\tTarget"', actual: JSON.stringify(lines[0].slice(0, 40)) });
  const samples: ListOpsSample[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split('\t');
    if (cells.length !== 2) throw new FormatError('wrong number of columns', { file, line: i + 1, expected: '2 (Source, Target)', actual: `${cells.length}` });
    const label = Number(cells[1]);
    if (!/^\d$/.test(cells[1].trim())) throw new FormatError('bad label', { file, line: i + 1, field: 'Target', expected: 'a digit 0..9', actual: JSON.stringify(cells[1]) });
    const tokens = tokenize(cells[0]);
    try {
      evaluateTokens(tokens);
    } catch (err) {
      throw new FormatError(`malformed expression (${(err as Error).message})`, { file, line: i + 1, field: 'Source' });
    }
    samples.push({ tokens, label });
  }
  return samples;
}
