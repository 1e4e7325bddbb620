import { build } from 'esbuild';
const r = await build({ entryPoints: [process.argv[2]], bundle: true, platform: 'node', format:'esm', write: false, metafile: true, conditions:['browser'], logLevel:'silent', external: ['gpu.js'] });
const seen = new Map();
for (const [f, i] of Object.entries(r.metafile.inputs)) for (const imp of i.imports) if (imp.path.startsWith('node:') || ['fs','path','os','crypto','zlib','module'].includes(imp.path)) seen.set(f, [...(seen.get(f)??[]), imp.path]);
console.log(seen);
