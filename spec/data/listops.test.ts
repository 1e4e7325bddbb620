import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EOS_ID, LISTOPS_IN_DIM, LISTOPS_VOCAB, PAD_ID, encodeListOps, evaluateTokens, generateListOpsSamples, listOpsSplits,
} from '../../src/data/listops';
import { readListOpsTsv } from '../../src/data/listopsFile';
import { ListOpsTree, evaluateTree, operatorDepth, sampleTree, toLraSource, tokenizeLraSource, treeTokens, truncatedMedian } from '../../src/data/listopsGrammar';
import { seededRandom } from '../../src/data/rng';

/**
 * Exact length law of the LRA grammar by dynamic programming over depths (independent of the
 * sampler): f_10 = delta_1; f_d(n) = 0.75 delta_1(n) + 0.25 * mean_{k=2..10} (f_{d+1}^{*k})(n - 2).
 * Lengths above `cap` are dropped (they cannot re-enter the window since lengths only grow).
 */
function exactLengthLaw(cap: number): Float64Array {
  const convolve = (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(cap + 1);
    for (let i = 0; i <= cap; i++) {
      if (a[i] === 0) continue;
      for (let j = 0; i + j <= cap; j++) out[i + j] += a[i] * b[j];
    }
    return out;
  };
  let f = new Float64Array(cap + 1);
  f[1] = 1;
  for (let depth = 9; depth >= 1; depth--) {
    const g = new Float64Array(cap + 1);
    g[1] = 0.75;
    let power = f;
    for (let k = 2; k <= 10; k++) {
      power = convolve(power, f);
      for (let n = 2; n <= cap; n++) g[n] += (0.25 / 9) * power[n - 2];
    }
    f = g;
  }
  return f;
}

describe('ListOps evaluation (hand-worked examples)', () => {
  it('applies MIN, MAX, MED (truncated) and SM (sum mod 10)', () => {
    expect(evaluateTokens('[MIN 4 2 7 X'.split(' '))).toBe(2);
    expect(evaluateTokens('[MAX 4 2 7 X'.split(' '))).toBe(7);
    expect(evaluateTokens('[MED 1 2 X'.split(' '))).toBe(1); // median 1.5 -> 1
    expect(evaluateTokens('[MED 3 9 1 X'.split(' '))).toBe(3);
    expect(evaluateTokens('[MED 2 9 8 3 X'.split(' '))).toBe(5); // (3 + 8) / 2 = 5.5 -> 5
    expect(evaluateTokens('[SM 9 8 7 X'.split(' '))).toBe(4); // 24 mod 10
    expect(evaluateTokens('[MAX 2 [MIN 9 3 X [SM 5 5 X X'.split(' '))).toBe(3);
    expect(truncatedMedian([7, 8])).toBe(7);
  });

  it('rejects malformed token sequences', () => {
    expect(() => evaluateTokens(['[MIN', '1'])).toThrow(/incomplete/);
    expect(() => evaluateTokens(['1', '2'])).toThrow(/after the expression ended/);
    expect(() => evaluateTokens(['[MIN', 'X'])).toThrow(/empty "X"/);
    expect(() => evaluateTokens(['[FIRST', '1', 'X'])).toThrow(/unknown token/);
  });

  it('serializes like LRA and tokenizes back to the same tokens and value', () => {
    const tree: ListOpsTree = { op: '[MAX', args: [2, 9] };
    expect(toLraSource(tree)).toBe('( ( ( [MAX 2 ) 9 ) ] )');
    expect(tokenizeLraSource('( ( ( [MAX 2 ) 9 ) ] )')).toEqual(['[MAX', '2', '9', 'X']);
    const random = seededRandom(11);
    for (let i = 0; i < 200; i++) {
      const { tree: sampled, length } = sampleTree(random);
      const tokens = tokenizeLraSource(toLraSource(sampled));
      expect(tokens).toEqual(treeTokens(sampled));
      expect(tokens.length).toBe(length);
      expect(evaluateTokens(tokens)).toBe(evaluateTree(sampled));
    }
  });
});

describe('ListOps generation statistics', () => {
  const { samples, stats } = generateListOpsSamples(2000, { seed: 0 });
  const lengths = samples.map((s) => s.tokens.length).sort((a, b) => a - b);
  const law = exactLengthLaw(2000);

  it('accepts only 500 < length < 2000, about 8.2% of trees (spec and exact law agree)', () => {
    const exactAcceptance = law.slice(501, 2000).reduce((a, b) => a + b, 0);
    expect(exactAcceptance).toBeCloseTo(0.0828, 3);
    // Binomial standard error with ~24,000 trees is 0.0018.
    expect(Math.abs(stats.accepted / stats.generated - exactAcceptance)).toBeLessThan(0.006);
    expect(Math.abs(stats.accepted / stats.generated - 0.082)).toBeLessThan(0.006);
    expect(lengths[0]).toBeGreaterThan(500);
    expect(lengths[lengths.length - 1]).toBeLessThan(2000);
  });

  it('has the length distribution of the exact law (median 954, mean 1035)', () => {
    let mass = 0;
    let weighted = 0;
    for (let n = 501; n < 2000; n++) (mass += law[n]), (weighted += n * law[n]);
    let cumulative = 0;
    let exactMedian = 0;
    for (let n = 501; n < 2000 && cumulative < mass / 2; n++) (cumulative += law[n]), (exactMedian = n);
    expect(exactMedian).toBe(954);
    expect(weighted / mass).toBeCloseTo(1035.0, 0);
    const sampleMean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    // Standard deviation of the law is ~394: standard errors ~9 (mean) and ~11 (median) for 2000 samples.
    expect(Math.abs(sampleMean - weighted / mass)).toBeLessThan(35);
    expect(Math.abs(lengths[1000] - exactMedian)).toBeLessThan(45);
  });

  it('every accepted tree nests operators 9 deep and the labels are skewed towards 0 and 9', () => {
    const random = seededRandom(0);
    let checked = 0;
    while (checked < 100) {
      const { tree, length } = sampleTree(random);
      if (length > 500 && length < 2000) {
        expect(operatorDepth(tree)).toBe(9);
        checked++;
      }
    }
    const share = new Array(10).fill(0);
    for (const s of samples) share[s.label] += 1 / samples.length;
    expect(share[0]).toBeGreaterThan(0.13);
    expect(share[9]).toBeGreaterThan(0.13);
    for (let d = 1; d <= 8; d++) expect(share[d]).toBeLessThan(0.12);
    // Labels agree with an independent evaluation of the token sequence.
    for (const s of samples.slice(0, 50)) expect(evaluateTokens(s.tokens)).toBe(s.label);
  });

  it('is deterministic per seed and has no duplicates', () => {
    const again = generateListOpsSamples(50, { seed: 0 });
    expect(again.samples).toEqual(samples.slice(0, 50));
    expect(new Set(samples.map((s) => s.tokens.join(' '))).size).toBe(samples.length);
    expect(generateListOpsSamples(50, { seed: 1 }).samples).not.toEqual(again.samples);
  });
});

describe('ListOps datasets', () => {
  it('encodes tokens with <pad>=0, <eos> and one-hot width 20', () => {
    expect(LISTOPS_VOCAB.slice(0, 3)).toEqual(['<pad>', '<unk>', '<eos>']);
    expect(LISTOPS_VOCAB.length).toBe(18);
    const ids = encodeListOps(['[MAX', '2', '9', 'X'], 6);
    expect(Array.from(ids)).toEqual([LISTOPS_VOCAB.indexOf('[MAX'), LISTOPS_VOCAB.indexOf('2'), LISTOPS_VOCAB.indexOf('9'), LISTOPS_VOCAB.indexOf('X'), EOS_ID, PAD_ID]);
    expect(encodeListOps(['??'], 2)[0]).toBe(LISTOPS_VOCAB.indexOf('<unk>'));
    expect(() => encodeListOps(['1', '2'], 2)).toThrow(/do not fit/);
  });

  it('builds short-run splits with length overrides, lengths and labels', () => {
    const splits = listOpsSplits({ seed: 3, nTrain: 40, nVal: 5, nTest: 5, minLength: 10, maxLength: 60 });
    const { train } = splits;
    expect([train.size, splits.val.size, splits.test.size, train.seqLen]).toEqual([40, 5, 5, 60]);
    expect(train.inputs.kind === 'tokens' && train.inputs.inDim).toBe(LISTOPS_IN_DIM);
    const lengths = train.lengths ?? new Int32Array();
    for (let n = 0; n < train.size; n++) {
      const row = Array.from(train.inputs.data.subarray(n * 60, (n + 1) * 60));
      expect(lengths[n]).toBeGreaterThan(11); // > 10 tokens plus <eos>
      expect(lengths[n]).toBeLessThanOrEqual(60);
      expect(row[lengths[n] - 1]).toBe(EOS_ID);
      expect(row.slice(lengths[n]).every((id) => id === PAD_ID)).toBe(true);
      const tokens = row.slice(0, lengths[n] - 1).map((id) => LISTOPS_VOCAB[id]);
      expect(train.targets.kind === 'classes' && train.targets.labels[n]).toBe(evaluateTokens(tokens));
    }
  });

  it('reads LRA TSV files and names the line of a bad row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'listops-'));
    const good = join(dir, 'basic_val.tsv');
    writeFileSync(good, 'Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\t9\n( ( ( [SM 5 ) 6 ) ] )\t1\n');
    expect(readListOpsTsv(good, tokenizeLraSource)).toEqual([
      { tokens: ['[MAX', '2', '9', 'X'], label: 9 },
      { tokens: ['[SM', '5', '6', 'X'], label: 1 },
    ]);
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, 'Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\t9\n( ( [MAX 2 ) 9 )\t9\n');
    expect(() => readListOpsTsv(bad, tokenizeLraSource)).toThrow(/bad\.tsv:3: field "Source": malformed expression/);
    writeFileSync(bad, 'Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\tnine\n');
    expect(() => readListOpsTsv(bad, tokenizeLraSource)).toThrow(/bad\.tsv:2: field "Target": bad label: expected a digit 0\.\.9, got "nine"/);
  });
});
