/**
 * `ssmjit/data`: the datasets of the built-in tasks (sequential and permuted MNIST, Fashion-MNIST,
 * ListOps, the adding problem), readers of the user's CSV / NDJSON sequence files, and
 * `tensorBatches`, which turns any of them into an iterable of tensor batches.
 */
export { type Dataset, type DatasetSplits, type SequenceInputs, type Targets, checkDataset, holdOut, inputDim, takeRows, withValidation } from '../data/dataset';
export { type TensorBatchOptions, tensorBatches } from '../data/tensorBatches';
export { type Batch, type BatchOptions, batches, epochOrder, numBatches } from '../data/batching';
export { type MnistOptions, mnistSplits } from '../data/mnist';
export { type FashionMnistOptions, fashionMnistSplits } from '../data/fashionMnist';
export { type ListOpsOptions, listOpsSplits } from '../data/listops';
export { type AddingOptions, addingSplits } from '../data/adding';
export { type UserDataOptions, loadUserData, parseCsv, parseNdjson, readUserData } from '../data/userData';
export { type BatchTensors, batchTensors } from '../train/batchTensors';
export { type TargetTensors } from '../train/loss';
export { seededPermutation } from '../data/rng';
