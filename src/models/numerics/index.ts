// Plain float64 numerics of the SSM models: complex/dense linear algebra,
// HiPPO and its DPLR diagonalisation, the S5/S4/S4D initialisers, the
// discretisations, and reference oracles.

export * from './complex';
export * from './complexMatrix';
export * from './realMatrix';
export * from './hippo';
export * from './eigh';
export * from './dplr';
export * from './sampler';
export * from './discretize';
export * from './s5init';
export * from './s4init';
export * from './oracles';
