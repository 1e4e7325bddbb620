/**
 * The data page's script (bundled for the browser by spec/browser/data.test.ts): the task
 * generators and the users' file parser run in the page, and each result is summarised by
 * `datasetSummary` — the same function the Node side applies to its own result — so the spec
 * can compare them.
 */
import { addingSplits } from '../../../src/data/adding';
import { listOpsSplits } from '../../../src/data/listops';
import { parseUserData } from '../../../src/data/userDataFormat';
import { datasetSummary } from './datasetSummary';

const api = {
  listops: (seed: number) => {
    const s = listOpsSplits({ seed, nTrain: 40, nVal: 10, nTest: 10, minLength: 20, maxLength: 120 });
    return [datasetSummary(s.train), datasetSummary(s.val), datasetSummary(s.test!)];
  },
  adding: (seed: number) => {
    const s = addingSplits({ seqLen: 50, seed, nTrain: 64, nVal: 16, nTest: 16 });
    return [datasetSummary(s.train), datasetSummary(s.val), datasetSummary(s.test!)];
  },
  /** Reads the file chosen in <input id="data"> through the File API and parses it. */
  userFile: async () => {
    const input = (globalThis as { document?: { getElementById(id: string): { files: { name: string; text(): Promise<string> }[] } } }).document!.getElementById('data');
    const file = input.files[0];
    const parsed = parseUserData(await file.text(), file.name);
    return parsed._tag === 'Left' ? { error: parsed.left.message } : { summary: datasetSummary(parsed.right) };
  },
};

(globalThis as { ssmjitData?: typeof api }).ssmjitData = api;
export type DataApi = typeof api;
