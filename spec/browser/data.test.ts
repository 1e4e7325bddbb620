/**
 * Data in the browser: the ListOps generator and the adding problem give, in Chromium, the
 * datasets they give under Node with the same seeds; a user's NDJSON or CSV file chosen in a
 * file input and read through the File API gives the dataset, or the error message, that
 * `readUserData` gives for the same file on disk.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addingSplits } from '../../src/data/adding';
import { listOpsSplits } from '../../src/data/listops';
import { readUserData } from '../../src/data/userData';
import { type BrowserSession, describeInChromium, openPage, specPageRoute } from './chromium';
import { datasetSummary } from './page/datasetSummary';
import type { DataApi } from './page/datasets';

const routes = {
  '/datasets.html': async () => ({ type: 'text/html; charset=utf-8', body: readFileSync('spec/browser/page/datasets.html') }),
  '/datasets.js': specPageRoute('spec/browser/page/datasets.ts'),
};

describeInChromium('data in the browser', () => {
  let s: BrowserSession;
  beforeAll(async () => {
    s = await openPage('/datasets.html', routes);
  });
  afterAll(async () => s?.close());

  const inPage = <K extends 'listops' | 'adding'>(what: K, seed: number) =>
    s.page.evaluate(([w, sd]) => (globalThis as unknown as { ssmjitData: DataApi }).ssmjitData[w](sd), [what, seed] as const);

  it('ListOps: the generator gives the Node datasets', async () => {
    const node = listOpsSplits({ seed: 7, nTrain: 40, nVal: 10, nTest: 10, minLength: 20, maxLength: 120 });
    expect(await inPage('listops', 7)).toEqual([datasetSummary(node.train), datasetSummary(node.val), datasetSummary(node.test!)]);
  });

  it('the adding problem: the generator gives the Node datasets', async () => {
    const node = addingSplits({ seqLen: 50, seed: 11, nTrain: 64, nVal: 16, nTest: 16 });
    expect(await inPage('adding', 11)).toEqual([datasetSummary(node.train), datasetSummary(node.val), datasetSummary(node.test!)]);
  });

  it('a user file through the File API: the same dataset, and the same error for a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssmjit-data-'));
    const files = {
      'good.ndjson': '{"sequence": [0.5, 1, 2], "label": 1}\n{"sequence": [3, 4], "label": 0}\n',
      'good.csv': 'x0,x1,x2,label\n0.5,1,2,1\n3,4,,0\n',
      'bad.ndjson': '{"sequence": [0.5, 1, 2], "label": 1}\n{"sequence": [3, "four"], "label": 0}\n',
      'bad.csv': 'x0,x1,label\n1,2,one\n',
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      writeFileSync(path, text);
      await s.page.setInputFiles('#data', path);
      const page = await s.page.evaluate(() => (globalThis as unknown as { ssmjitData: DataApi }).ssmjitData.userFile());
      const node = readUserData(path);
      if (node._tag === 'Left') {
        expect(page, name).toEqual({ error: node.left.message.replace(path, name) });
        expect(name.startsWith('bad'), `${name} fails`).toBe(true);
      } else {
        expect(page, name).toEqual({ summary: { ...datasetSummary(node.right), name } });
      }
    }
  });
});
