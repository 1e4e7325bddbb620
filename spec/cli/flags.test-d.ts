import { expectTypeOf, test } from 'vitest';
import { EvalFlags, TrainFlags } from '../../src/cli/flags';

test('flag value types follow required / default / optional', () => {
  expectTypeOf<TrainFlags['task']>().toEqualTypeOf<'smnist' | 'psmnist' | 'fashion' | 'listops' | 'adding' | 'csv' | 'ndjson'>();
  expectTypeOf<TrainFlags['lr']>().toEqualTypeOf<number>();
  expectTypeOf<TrainFlags['maxSteps']>().toEqualTypeOf<number | undefined>();
  expectTypeOf<TrainFlags['prenorm']>().toEqualTypeOf<boolean>();
  expectTypeOf<EvalFlags['task']>().toEqualTypeOf<'smnist' | 'psmnist' | 'fashion' | 'listops' | 'adding' | 'csv' | 'ndjson' | undefined>();
});
