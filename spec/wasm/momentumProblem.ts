/**
 * A small least-squares problem trained with heavy-ball momentum, shared by a spec and the child
 * process it starts: the carry (w, m) is 2 × 256 floats; x, y and w0 are seed 11's.
 */
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { arg, randomArgs } from '../jit/inputs';

export const [w0, x, y] = randomArgs(11, [arg([32, 8]), arg([16, 32]), arg([16, 8])]) as Tensor<'f32'>[];
export const m0 = (): Tensor<'f32'> => T.zeros([32, 8]);

const loss = (w: Tensor<'f32'>) => T.mean(T.square(T.sub(T.matmul(x, w), y)));

export const momentumStep = (w: Tensor<'f32'>, m: Tensor<'f32'>) => {
  const [l, g] = T.valueAndGrad(loss)(w) as [Tensor<'f32'>, Tensor<'f32'>];
  const m1 = T.add(T.mul(m, 0.9), g);
  return [T.sub(w, T.mul(m1, 0.05)), m1, l] as const;
};
