/**
 * The S5 training step of the peer benchmark (../shared/bench/peers): one S5 layer with ZOH
 * discretisation, Bu and Cx by matmul, the diagonal linear recurrence, y = Re(Cx) + D·u, the
 * sigmoid-approximated gelu g = y·σ(1.702y), loss = mean(g²); value and gradients with respect
 * to all 8 parameter arrays. Written with c64 tensors instead of (re, im) pairs.
 */
import * as T from '../src/index';

export interface S5StepParams {
  lre: T.Tensor<'f32'>;
  lim: T.Tensor<'f32'>;
  bre: T.Tensor<'f32'>;
  bim: T.Tensor<'f32'>;
  cre: T.Tensor<'f32'>;
  cim: T.Tensor<'f32'>;
  d: T.Tensor<'f32'>;
  logdt: T.Tensor<'f32'>;
}

export function s5Loss(p: S5StepParams, u: T.Tensor<'f32'>): T.Tensor<'f32'> {
  const [B, L, H] = u.shape;
  const P = p.lre.shape[0];
  const dt = T.exp(p.logdt);
  const lambda = T.complex(p.lre, p.lim);
  const lambdaBar = T.exp(T.mul(lambda, dt));
  const bBar = T.mul(T.reshape(T.div(T.sub(lambdaBar, 1), lambda), [P, 1]), T.complex(p.bre, p.bim));
  const bu = T.reshape(T.matmul(T.reshape(T.cast('c64')(u), [B * L, H]), T.mT(bBar)), [B, L, P]);
  const x = T.linearRecurrence(T.broadcastTo(lambdaBar, [B, L, P]), bu, { axis: 1 });
  const xr = T.reshape(T.real(x), [B * L, P]);
  const xi = T.reshape(T.imag(x), [B * L, P]);
  const y = T.add(T.reshape(T.sub(T.matmul(xr, T.mT(p.cre)), T.matmul(xi, T.mT(p.cim))), [B, L, H]), T.mul(p.d, u));
  const g = T.mul(y, T.sigmoid(T.mul(y, 1.702)));
  return T.mean(T.square(g));
}

export function s5Init(B: number, L: number, H: number, P: number, seed = 1): { params: S5StepParams; u: T.Tensor<'f32'> } {
  const k = T.random.split(T.random.key(seed), 7);
  const params: S5StepParams = {
    lre: T.full([P], -0.5),
    lim: T.linspace(0, (Math.PI * P) / 2, P),
    bre: T.random.normal(k[0], [P, H], 1 / Math.sqrt(H)),
    bim: T.random.normal(k[1], [P, H], 1 / Math.sqrt(H)),
    cre: T.random.normal(k[2], [H, P], 1 / Math.sqrt(P)),
    cim: T.random.normal(k[3], [H, P], 1 / Math.sqrt(P)),
    d: T.random.normal(k[4], [H]),
    logdt: T.full([P], Math.log(0.01)),
  };
  return { params, u: T.random.normal(k[5], [B, L, H]) };
}

export const s5ValueAndGrad = T.valueAndGrad(s5Loss);
