/**
 * The SSM models: S5, S4D and S4 layers, the sequence model around them, configs (io-ts
 * codecs with defaults), optimiser parameter groups and parameter counts. Everything that
 * runs on tensors is a pure function of (params, state, inputs), written over the DSL.
 * The plain float64 numerics used for initialisation and as test oracles are in ./numerics.
 */
export * from './config';
export { discretizeDiagonal, type DiagonalSystem } from './discretize';
export { fftConvolve } from './fftConv';
export { keySampler, lecunNormal } from './initTools';
export * from './layers';
export * from './paramGroups';
export * from './s4';
export { type S4DParams, type S4DRecurrent, applyS4D, initS4D, s4dA, s4dInitialState, s4dKernel, s4dRecurrent, s4dStep } from './s4d';
export * from './s5';
export * from './seqModel';
export * from './sequenceLayer';
export { type SSMApplyOptions, type SSMParams, type SSMRecurrent, type SSMRecurrentOptions, applySSM, initSSM, ssmInitialState, ssmRecurrent, ssmStep } from './ssm';
