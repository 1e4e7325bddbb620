// `npm run web`: serves the demo page (examples/web) on http://127.0.0.1:8080 (PORT to change),
// cross-origin isolated so the wasm backend runs on Web Workers.
import { startWebServer } from './web-server.mjs';

const port = Number(process.env.PORT ?? 8080);
const server = await startWebServer({ port, log: (line) => console.error(line) });
console.log(`ssmjit demo: ${server.url}/  (Ctrl-C to stop)`);
