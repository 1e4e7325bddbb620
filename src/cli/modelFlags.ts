/**
 * From `ssmjit train` flags to a validated ModelConfig (src/models/config.ts). The dataset
 * decides the input encoding and the head; everything else comes from the flags. Errors of
 * the model config's cross-field rules are reported against the flag that sets the field
 * (e.g. `ssm.blocks` -> `--blocks`).
 */
import { Either, left } from 'fp-ts/Either';
import { FormatError } from '../io/formatError';
import { HeadConfig, ModelConfig, decodeModelConfig } from '../models/config';
import { kebabCase } from './argv';
import { TrainFlags } from './flags';

/** What the dataset contributes to the model config. */
export interface ModelDataShape {
  readonly inputKind: 'float' | 'tokens';
  /** Input channels (float) or one-hot width (tokens). */
  readonly dInput: number;
  readonly head: HeadConfig;
}

/** Model-config field (after `ssm.`) -> flag, where the names differ. */
const FLAG_OF_FIELD: Record<string, string> = { P: 'ssm-size', N: 'state-size', init: 's4d-init', nLayers: 'layers' };

/** The flag that sets a model-config field path such as `ssm.blocks`. */
export function flagForModelField(field: string): string {
  const leaf = field.startsWith('ssm.') ? field.slice(4) : field;
  return `--${FLAG_OF_FIELD[leaf] ?? kebabCase(leaf)}`;
}

function ssmOf(flags: TrainFlags): Record<string, unknown> {
  const common = { bidirectional: flags.bidirectional, dtMin: flags.dtMin, dtMax: flags.dtMax };
  switch (flags.model) {
    case 's5':
      return { kind: 's5', P: flags.ssmSize, blocks: flags.blocks, cInit: flags.cInit, discretization: flags.discretization, conjSym: flags.conjSym, clipEigs: flags.clipEigs, ...common };
    case 's4d':
      return { kind: 's4d', N: flags.stateSize, init: flags.s4dInit, discretization: flags.discretization, ...common };
    case 's4':
      return { kind: 's4', N: flags.stateSize, ...common };
  }
}

/** Builds and validates the ModelConfig for a training run. */
export function modelConfigFromFlags(flags: TrainFlags, data: ModelDataShape): Either<FormatError, ModelConfig> {
  const decoded = decodeModelConfig({
    ssm: ssmOf(flags),
    inputKind: data.inputKind,
    dInput: data.dInput,
    head: data.head,
    nLayers: flags.layers,
    dModel: flags.dModel,
    pooling: flags.pooling,
    activation: flags.activation,
    prenorm: flags.prenorm,
    norm: flags.norm,
    bnMomentum: flags.bnMomentum,
    dropout: flags.dropout,
  });
  if (decoded._tag === 'Right') return decoded;
  const { field, expected, actual } = decoded.left;
  const fromFlags = field !== undefined && !/^(inputKind|dInput|head)/.test(field);
  return left(
    new FormatError('invalid model settings', {
      file: fromFlags ? 'command line' : 'dataset',
      field: fromFlags ? flagForModelField(field) : field,
      expected,
      actual,
    }),
  );
}
