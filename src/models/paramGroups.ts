/**
 * Optimiser parameter groups (S5 create_train_state, spec §2.3). Every leaf of the parameter
 * tree gets one of
 *   'ssm'       Adam at ssm_lr, no weight decay
 *   'ssm_decay' AdamW at ssm_lr with weight decay (B under BandCdecay)
 *   'regular'   AdamW at lr with weight decay
 * by the role of its leaf name inside an SSM (`...ssm.<name>`); every other leaf (encoder,
 * decoder, GLU Dense kernels and biases, norm scales and biases) is 'regular', as in S5 where
 * the "norm" entry never matches a leaf name.
 *
 * Roles: state matrix Λ/A (Lambda_re, Lambda_im, log_A_real, A_imag, and S4's low-rank P),
 * step (log_step, log_dt), B, C, D.
 *   opt_config       ssm                      ssm_decay   regular
 *   standard         A, step, B               -           C, D, rest
 *   BandCdecay       A, step                  B           C, D, rest
 *   BfastandCdecay   A, step                  -           B, C, D, rest
 *   noBCdecay        A, step, B, C, D         -           rest
 * dtGlobal moves the step leaves to 'regular'.
 */
import * as T from '../index';

export type OptConfig = 'standard' | 'BandCdecay' | 'BfastandCdecay' | 'noBCdecay';
export type ParamGroup = 'ssm' | 'ssm_decay' | 'regular';
type Role = 'A' | 'step' | 'B' | 'C' | 'D';

const ROLES: Readonly<Record<string, Role>> = {
  Lambda_re: 'A',
  Lambda_im: 'A',
  log_A_real: 'A',
  A_imag: 'A',
  P: 'A',
  log_step: 'step',
  log_dt: 'step',
  B: 'B',
  C: 'C',
  D: 'D',
};

const TABLE: Readonly<Record<OptConfig, Readonly<Record<Role, ParamGroup>>>> = {
  standard: { A: 'ssm', step: 'ssm', B: 'ssm', C: 'regular', D: 'regular' },
  BandCdecay: { A: 'ssm', step: 'ssm', B: 'ssm_decay', C: 'regular', D: 'regular' },
  BfastandCdecay: { A: 'ssm', step: 'ssm', B: 'regular', C: 'regular', D: 'regular' },
  noBCdecay: { A: 'ssm', step: 'ssm', B: 'ssm', C: 'ssm', D: 'ssm' },
};

export interface GroupOptions {
  readonly optConfig?: OptConfig;
  readonly dtGlobal?: boolean;
}

/** The group of the leaf at a tree path such as "layers[2].ssm.B". */
export function paramGroupOf(path: string, options: GroupOptions = {}): ParamGroup {
  const optConfig = options.optConfig ?? 'standard';
  const table = TABLE[optConfig];
  if (!table) throw new RangeError(`paramGroups: unknown optConfig '${String(optConfig)}' (one of ${Object.keys(TABLE).join('|')})`);
  const match = /(?:^|\.)ssm\.([A-Za-z_]+)$/.exec(path);
  const role = match ? ROLES[match[1]] : undefined;
  if (!role) return 'regular';
  if (role === 'step' && options.dtGlobal) return 'regular';
  return table[role];
}

/** Group of every leaf, keyed by its tree path (T.tree.treePaths order). */
export function paramGroups(params: unknown, options: GroupOptions = {}): Record<string, ParamGroup> {
  return Object.fromEntries(T.tree.treePaths(params).map((path) => [path, paramGroupOf(path, options)]));
}

/** Group of every leaf in T.tree.flatten order (aligned with the flattened parameter leaves). */
export const paramGroupList = (params: unknown, options: GroupOptions = {}): ParamGroup[] =>
  T.tree.treePaths(params).map((path) => paramGroupOf(path, options));
