/**
 * `ssmjit/nn`: layers to build models from. Dense, Embedding, LayerNorm, BatchNorm (with its
 * running statistics as explicit state), dropout and the GLU variants as `init`/`apply` pairs;
 * the S5, S4D and S4 layers, the residual sequence layer and the whole sequence model of the
 * built-in `ssmjit train --model s5|s4d|s4`, with their configs (io-ts codecs with defaults).
 * Every apply is a pure function of (params, [state], inputs), so grad and jit take it as is.
 */
export { BatchNorm, type BatchNormOptions, type BatchNormStats, Dense, type DenseParams, Embedding, type EmbeddingParams, GLU, type GluKind, type GluParams, LayerNorm, type NormParams, dropout } from '../nn/layers';
export { applyS5, initS5, s5Recurrent, s5Step, s5InitialState, type S5Params, type S5ApplyOptions, type S5Recurrent } from '../models/s5';
export { applyS4D, initS4D, s4dKernel, s4dRecurrent, s4dStep, s4dInitialState, type S4DParams, type S4DRecurrent } from '../models/s4d';
export { applyS4, initS4, s4Kernel, s4Recurrent, s4Step, s4InitialState, type S4Params, type S4Recurrent } from '../models/s4';
export { applySSM, initSSM, ssmRecurrent, ssmStep, ssmInitialState, type SSMParams, type SSMApplyOptions, type SSMRecurrent, type SSMRecurrentOptions } from '../models/ssm';
export { applySequenceLayer, initSequenceLayer, stepSequenceLayer, type SequenceLayerParams, type SequenceLayerState, type LayerContext } from '../models/sequenceLayer';
export { applyModel, initModel, sequenceModel, paramCount, type ApplyOptions, type ModelParams, type ModelState, type SequenceModel } from '../models/seqModel';
export { ModelConfig, S5Config, S4DConfig, S4Config, SSMConfig, modelConfig, decodeModelConfig } from '../models/config';
export { discretizeDiagonal, type DiagonalSystem } from '../models/discretize';
export { fftConvolve } from '../models/fftConv';
export { lecunNormal, keySampler } from '../models/initTools';
