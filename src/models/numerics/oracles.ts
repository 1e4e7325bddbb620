// Slow, direct float64 reference computations for testing the compiled SSM
// models: S5 recurrence, S4D Vandermonde kernel, dense materialised kernels,
// the S4 DPLR frequency-domain kernel, and direct convolutions.

export { type S5ForwardOptions, type S5OracleInput, s5OracleInput, s5RecurrenceOracle } from './oracleS5';
export { type S4DKernelInput, materializedKernel, materializedKernelSISO, s4dVandermondeKernel } from './oracleKernels';
export {
  type S4DPLRKernelInput,
  type S4DenseSystem,
  inverseRealDFT,
  s4Ctilde,
  s4DenseSystem,
  s4FrequencyKernel,
  s4FrequencySpectrum,
} from './oracleS4Frequency';
export { bidirectionalConvolutionS4, causalConvolution, mimoConvolution } from './oracleConvolution';
