/**
 * Model configurations as io-ts codecs with defaults: the SSM of each layer (S5, S4D or S4)
 * and the sequence model around it. Defaults follow S5's run_train.py (spec §2.5) for S5 and
 * the model wrapper, and the S4 repository for S4/S4D (d_state 64, LegS init, ZOH for S4D,
 * bilinear for S4). Decoding fills missing fields with the defaults, rejects unknown fields,
 * and checks the cross-field rules (P divisible by blocks, even block size with conjSym, even
 * N, dtMin <= dtMax, ...); every failure names the field, e.g. `ssm.blocks`.
 *
 * Flag names of run_train.py: nLayers = n_layers, dModel = d_model, P = ssm_size_base,
 * blocks = blocks, cInit = C_init, pooling 'mean' = mode 'pool', norm 'batch' = batchnorm.
 */
import type { Either } from 'fp-ts/Either';
import * as t from 'io-ts';
import { FiniteNumber, PositiveInt, PositiveNumber, oneOf, refine } from '../io/codecs';
import type { FormatError } from '../io/formatError';
import { decodeWith } from '../io/ioTsReport';

const UnitInterval = refine(FiniteNumber, (x) => x >= 0 && x < 1, 'a number in [0, 1)');

/** A record codec that fills defaults, rejects unknown fields and runs a cross-field check. */
function recordCodec<P extends t.Props>(
  name: string,
  props: P,
  /** Raw (undecoded) values for missing fields; they are decoded like given ones. */
  defaults: { readonly [K in keyof P]?: unknown },
  check: (a: t.TypeOf<t.TypeC<P>>, c: t.Context) => t.Validation<t.TypeOf<t.TypeC<P>>> = (a) => t.success(a),
): t.Type<t.TypeOf<t.TypeC<P>>, t.TypeOf<t.TypeC<P>>, unknown> {
  const strict = t.type(props, name);
  type A = t.TypeOf<t.TypeC<P>>;
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => strict.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `an object (${name})`);
      const given = u as Record<string, unknown>;
      for (const key of Object.keys(given)) {
        if (!(key in props)) {
          return t.failure(given[key], [...c, { key, type: t.never, actual: given[key] }], `a known field of ${name} (${Object.keys(props).join(', ')})`);
        }
      }
      const present = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      const decoded = strict.validate({ ...defaults, ...present }, c);
      return decoded._tag === 'Left' ? decoded : check(decoded.right as A, c);
    },
    t.identity,
  );
}

/** A failure located at field `key` of the record being checked. */
const fieldFailure = <A>(c: t.Context, key: string, value: unknown, expected: string): t.Validation<A> =>
  t.failure(value, [...c, { key, type: t.unknown, actual: value }], expected);

/** Codec dispatching on a `kind` field, so errors point into the chosen variant. */
function taggedUnion<A extends { kind: string }>(name: string, variants: Record<string, t.Type<A, A, unknown>>): t.Type<A, A, unknown> {
  const kinds = Object.keys(variants);
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => kinds.some((k) => variants[k].is(u)),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `an object with kind ${kinds.join('|')} (${name})`);
      const kind = (u as { kind?: unknown }).kind;
      if (typeof kind !== 'string' || !kinds.includes(kind)) return fieldFailure(c, 'kind', kind, `one of ${kinds.join('|')}`);
      return variants[kind].validate(u, c);
    },
    t.identity,
  );
}

const Discretization = oneOf(['zoh', 'bilinear'] as const);
export type Discretization = t.TypeOf<typeof Discretization>;

const timescaleCheck = <A extends { dtMin: number; dtMax: number }>(a: A, c: t.Context): t.Validation<A> =>
  a.dtMin <= a.dtMax ? t.success(a) : fieldFailure(c, 'dtMax', a.dtMax, `a number >= dtMin (${a.dtMin})`);

// ---- S5 -------------------------------------------------------------------------------------

export const S5CInit = oneOf(['trunc_standard_normal', 'lecun_normal', 'complex_normal'] as const);

export const S5Config = recordCodec(
  'S5Config',
  {
    kind: t.literal('s5'),
    /** Full latent size P (ssm_size_base); with conjSym, P/2 complex states are stored. */
    P: PositiveInt,
    /** Number of HiPPO-N blocks J; the block size is P / J. */
    blocks: PositiveInt,
    cInit: S5CInit,
    discretization: Discretization,
    conjSym: t.boolean,
    clipEigs: t.boolean,
    bidirectional: t.boolean,
    dtMin: PositiveNumber,
    dtMax: PositiveNumber,
  },
  { P: 256, blocks: 8, cInit: 'trunc_standard_normal', discretization: 'zoh', conjSym: true, clipEigs: false, bidirectional: false, dtMin: 0.001, dtMax: 0.1 },
  (a, c) => {
    if (a.P % a.blocks !== 0) return fieldFailure(c, 'blocks', a.blocks, `a divisor of P (${a.P})`);
    if (a.conjSym && (a.P / a.blocks) % 2 !== 0) {
      return fieldFailure(c, 'blocks', a.blocks, `a number making the block size P/blocks even with conjSym (P = ${a.P})`);
    }
    return timescaleCheck(a, c);
  },
);
export type S5Config = t.TypeOf<typeof S5Config>;

// ---- S4D / S4 ----------------------------------------------------------------------------------

const evenStateSize = <A extends { N: number; dtMin: number; dtMax: number }>(a: A, c: t.Context): t.Validation<A> =>
  a.N % 2 !== 0 ? fieldFailure(c, 'N', a.N, 'an even state size (N/2 conjugate pairs are stored)') : timescaleCheck(a, c);

export const S4DInit = oneOf(['lin', 'inv', 'legs', 'real'] as const);

export const S4DConfig = recordCodec(
  'S4DConfig',
  {
    kind: t.literal('s4d'),
    /** Full state size N (d_state); N/2 complex states are stored per channel. */
    N: PositiveInt,
    init: S4DInit,
    discretization: Discretization,
    /** Two-sided kernel (S4's bidirectional FFTConv). */
    bidirectional: t.boolean,
    dtMin: PositiveNumber,
    dtMax: PositiveNumber,
  },
  { N: 64, init: 'legs', discretization: 'zoh', bidirectional: false, dtMin: 0.001, dtMax: 0.1 },
  evenStateSize,
);
export type S4DConfig = t.TypeOf<typeof S4DConfig>;

export const S4Config = recordCodec(
  'S4Config',
  {
    kind: t.literal('s4'),
    N: PositiveInt,
    bidirectional: t.boolean,
    dtMin: PositiveNumber,
    dtMax: PositiveNumber,
  },
  { N: 64, bidirectional: false, dtMin: 0.001, dtMax: 0.1 },
  evenStateSize,
);
export type S4Config = t.TypeOf<typeof S4Config>;

export const SSMConfig = taggedUnion<S5Config | S4DConfig | S4Config>('SSMConfig', {
  s5: S5Config as t.Type<S5Config | S4DConfig | S4Config, S5Config | S4DConfig | S4Config, unknown>,
  s4d: S4DConfig as t.Type<S5Config | S4DConfig | S4Config, S5Config | S4DConfig | S4Config, unknown>,
  s4: S4Config as t.Type<S5Config | S4DConfig | S4Config, S5Config | S4DConfig | S4Config, unknown>,
});
export type SSMConfig = S5Config | S4DConfig | S4Config;

// ---- the sequence model ----------------------------------------------------------------------

const ClassificationHead = recordCodec('ClassificationHead', { kind: t.literal('classification'), nClasses: PositiveInt }, {});
const RegressionHead = recordCodec('RegressionHead', { kind: t.literal('regression'), dOutput: PositiveInt }, {});
type ClassificationHead = t.TypeOf<typeof ClassificationHead>;
type RegressionHead = t.TypeOf<typeof RegressionHead>;
export const HeadConfig = taggedUnion<ClassificationHead | RegressionHead>('HeadConfig', {
  classification: ClassificationHead as t.Type<ClassificationHead | RegressionHead, ClassificationHead | RegressionHead, unknown>,
  regression: RegressionHead as t.Type<ClassificationHead | RegressionHead, ClassificationHead | RegressionHead, unknown>,
});
export type HeadConfig = ClassificationHead | RegressionHead;

export const Activation = oneOf(['gelu', 'full_glu', 'half_glu1', 'half_glu2'] as const);
export type Activation = t.TypeOf<typeof Activation>;
export const Pooling = oneOf(['mean', 'last', 'none'] as const);
export type Pooling = t.TypeOf<typeof Pooling>;
export const NormKind = oneOf(['batch', 'layer'] as const);
export type NormKind = t.TypeOf<typeof NormKind>;

export const ModelConfig = recordCodec(
  'ModelConfig',
  {
    ssm: SSMConfig,
    /** 'float': inputs [B, L, dInput] through a dense encoder; 'tokens': ids [B, L] one-hot encoded into dInput channels. */
    inputKind: oneOf(['float', 'tokens'] as const),
    dInput: PositiveInt,
    head: HeadConfig,
    nLayers: PositiveInt,
    dModel: PositiveInt,
    /** 'mean' (masked by lengths), 'last' (the last real step), or 'none' (per-step outputs). */
    pooling: Pooling,
    activation: Activation,
    prenorm: t.boolean,
    norm: NormKind,
    /** Running-average momentum m of BatchNorm: ra = m ra + (1 - m) batch_stat. */
    bnMomentum: UnitInterval,
    dropout: UnitInterval,
    /** A norm after the last layer (S4's backbone with prenorm; S5 has none). */
    finalNorm: t.boolean,
  },
  {
    ssm: { kind: 's5' },
    inputKind: 'float',
    nLayers: 6,
    dModel: 128,
    pooling: 'mean',
    activation: 'half_glu1',
    prenorm: true,
    norm: 'batch',
    bnMomentum: 0.95,
    dropout: 0,
    finalNorm: false,
  },
);
export type ModelConfig = t.TypeOf<typeof ModelConfig>;

/** Decodes a model config (defaults filled in); the error names the offending field. */
export const decodeModelConfig = (input: unknown): Either<FormatError, ModelConfig> =>
  decodeWith(ModelConfig, input, {}, 'invalid model config');

/** Decodes one SSM config (defaults filled in). */
export const decodeSSMConfig = (input: unknown): Either<FormatError, SSMConfig> => decodeWith(SSMConfig, input, {}, 'invalid SSM config');

/** Like decodeModelConfig, but throws the FormatError. */
export function modelConfig(input: unknown): ModelConfig {
  const r = decodeModelConfig(input);
  if (r._tag === 'Left') throw r.left;
  return r.right;
}
