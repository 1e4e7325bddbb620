// Mutation run of the differentiation rules: plants one wrong rule at a time in
// compiler/autodiff/{vjpRules,jvpRules,scanVjp}.ts, runs that primitive's cases of
// spec/autodiff/primitives.test.ts, restores the file, and prints which checks failed:
// finite differences (FD), the dot-product identity ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩ (dot), and the
// Jacobian by vjp rows vs by jvp columns (jac(rev-vs-fwd)). A mutation whose pattern no longer
// occurs exactly once is reported as SKIP. Edits files in place: run it on a clean tree.
//   node scripts/mutate-rules.mjs [file:prim]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
const V = 'compiler/autodiff/vjpRules.ts', J = 'compiler/autodiff/jvpRules.ts', S = 'compiler/autodiff/scanVjp.ts';
const M = [
  [V, 'exp', "exp: single((ct, _, y) => [U.mul(ct, U.conj(y))])", "exp: single((ct, _, y) => [U.mul(ct, y)])"],
  [V, 'log', "log: single((ct, [x]) => [U.div(ct, x)])", "log: single((ct, [x]) => [U.mul(ct, x)])"],
  [V, 'sin', "sin: single((ct, [x]) => [U.mul(ct, U.cos(x))])", "sin: single((ct, [x]) => [U.mul(ct, U.sin(x))])"],
  [V, 'tanh', "tanh: single((ct, _, y) => [U.mul(ct, U.sub(1, U.mul(y, y)))])", "tanh: single((ct, _, y) => [U.mul(ct, U.add(1, U.mul(y, y)))])"],
  [V, 'sqrt', "U.div(U.mul(ct, 0.5), y)", "U.div(U.mul(ct, 0.25), y)"],
  [V, 'mul', "onlyFloat(a, U.mul(ct, U.conj(b)))", "onlyFloat(a, U.mul(ct, b))"],
  [V, 'div', "return [ctA, U.neg(U.mul(ctA, U.conj(y)))];", "return [ctA, U.mul(ctA, U.conj(y))];"],
  [V, 'max', "return [U.mul(ct, wA), U.mul(ct, U.sub(1, wA))];\n  }),\n  min", "return [U.mul(ct, U.sub(1, wA)), U.mul(ct, wA)];\n  }),\n  min"],
  [V, 'atan2', "return [U.div(U.mul(ct, x), r2), U.neg(U.div(U.mul(ct, y), r2))];", "return [U.div(U.mul(ct, x), r2), U.div(U.mul(ct, y), r2)];"],
  [V, 'real', "real: single((ct) => [U.complex(ct, U.zerosLike(ct))])", "real: single((ct) => [U.complex(U.zerosLike(ct), ct)])"],
  [V, 'transpose', "return [onlyFloat(x, U.prim('transpose', [ct], { perm: inverse }))];", "return [onlyFloat(x, U.prim('transpose', [ct], { perm: [...perm] }))];"],
  [V, 'cumsum', "U.prim('cumsum', [ct], { axis, reverse: !reverse })", "U.prim('cumsum', [ct], { axis, reverse })"],
  [V, 'linrec', "return [U.mul(g, U.conj(xPrev)), g];", "return [U.mul(g, xPrev), g];"],
  [V, 'matmul', "U.prim('matmul', [ct, U.conj(U.swapLast(b))], {})", "U.prim('matmul', [ct, U.swapLast(b)], {})"],
  [V, 'fft', ": U.mul(U.prim('fft', [ct], { inverse: true }), n)]", ": U.prim('fft', [ct], { inverse: true })]"],
  [V, 'irfft', "(k === 0 || 2 * k === n ? 1 : 2) / n", "(k === 0 ? 1 : 2) / n"],
  [S, 'assoc_scan', "const Mt: Mat = M[0].map((_, j) => M.map((row) => row[j]));", "const Mt: Mat = M;"],
  [S, 'assoc_scan', "return join(dense).slice(0, k);", "return join(dense).slice(0, k).map((c) => (c.dtype === 'c64' ? U.conj(c) : c));"],
  [S, 'assoc_scan', "const term = U.mul(E[i][j], gRest[i]);", "const term = U.mul(E[j][i], gRest[i]);"],
  [J, 'exp', "exp: chain('exp', (_, y) => y)", "exp: chain('exp', (x) => x)"],
  [J, 'log', "log: single('log', ([t], [x]) => (t === null ? null : U.div(t, x)))", "log: single('log', ([t], [x]) => (t === null ? null : U.mul(t, x)))"],
  [J, 'sin', "sin: chain('sin', (x) => U.cos(x))", "sin: chain('sin', (x) => U.sin(x))"],
  [J, 'tanh', "tanh: chain('tanh', (_, y) => U.sub(1, U.mul(y, y)))", "tanh: chain('tanh', (_, y) => U.add(1, U.mul(y, y)))"],
  [J, 'sqrt', "U.div(t, U.mul(y, 2))", "U.div(t, U.mul(y, 3))"],
  [J, 'logistic', "logistic: chain('logistic', (_, y) => U.mul(y, U.sub(1, y)))", "logistic: chain('logistic', (_, y) => U.mul(y, U.add(1, y)))"],
  [J, 'mul', "sumTerms([scale(ta, () => b), scale(tb, () => a)])", "sumTerms([scale(ta, () => a), scale(tb, () => a)])"],
  [J, 'div', "tb === null ? null : U.neg(U.mul(tb, y))", "tb === null ? null : U.mul(tb, y)"],
  [J, 'atan2', "tx === null ? null : U.neg(U.mul(tx, y))", "tx === null ? null : U.mul(tx, y)"],
  [J, 'abs', "const along = U.real(U.mul(U.conj(x), t));", "const along = U.real(U.mul(x, t));"],
  [J, 'max', "const wA = () => U.add(U.cast(U.gt(a, b), 'f32')", "const wA = () => U.add(U.cast(U.lt(a, b), 'f32')"],
  [J, 'linrec', "U.mul(ta, previous(x, axis, reverse))", "U.mul(ta, previous(x, axis, !reverse))"],
  [J, 'matmul', "tb === null ? null : U.prim('matmul', [a, tb], {})", "null"],
  [J, 'erf', "erf: chain('erf', (x) => U.mul(U.exp(U.neg(U.mul(x, x))), TWO_OVER_SQRT_PI))", "erf: chain('erf', (x) => U.exp(U.neg(U.mul(x, x))))"],
  [J, 'assoc_scan', "...constTangents, ...left.slice(k), ...right.slice(k)]", "...constTangents, ...right.slice(k), ...left.slice(k)]"],
];
const only = process.argv[2];
const out = 'node_modules/.cache/mutate-rules.json';
for (const [file, prim, from, to] of M) {
  if (only && `${file}:${prim}` !== only) continue;
  const orig = readFileSync(file, 'utf8');
  if (orig.split(from).length !== 2) { console.log(`SKIP ${file} ${prim}: pattern not found once`); continue; }
  writeFileSync(file, orig.replace(from, to));
  try {
    try { execFileSync('npx', ['vitest', 'run', 'spec/autodiff/primitives.test.ts', '--maxWorkers=1', '-t', `^${prim} `, '--reporter=json', `--outputFile=${out}`], { stdio: 'ignore' }); } catch {}
    const res = JSON.parse(readFileSync(out, 'utf8'));
    const tests = res.testResults.flatMap((f) => f.assertionResults).filter((t) => t.status !== 'skipped' && t.status !== 'pending');
    const failed = (pred) => tests.filter((t) => pred(t.title)).filter((t) => t.status === 'failed');
    const fd = failed((t) => t.includes('finite differences') && !t.includes('Jacobian'));
    const dot = failed((t) => t.includes('⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩'));
    const jac = failed((t) => t.includes('Jacobian'));
    const jacRevFwd = jac.filter((t) => t.failureMessages.join('').includes('Jacobian by vjp rows vs by jvp columns'));
    const n = tests.filter((t) => t.title.includes('⟨vjp')).length;
    console.log(`${file.split('/').pop().replace('.ts', '')}\t${prim}\t${to.slice(0, 60)}\tcases=${n}\tFD=${fd.length}\tdot=${dot.length}\tjac(rev-vs-fwd)=${jacRevFwd.length}\tjac(any)=${jac.length}`);
  } finally {
    writeFileSync(file, orig);
  }
}
rmSync(out, { force: true });
