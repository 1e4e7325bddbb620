// Types of scripts/web-server.mjs for the TypeScript specs that start it.
export type Route = () => Promise<{ type: string; body: string | Uint8Array }>;
export declare function bundleRoute(entry: string, options?: { minify?: boolean; alias?: Record<string, string> }): Route;
export declare function startWebServer(options?: {
  port?: number;
  host?: string;
  isolated?: boolean;
  routes?: Record<string, Route>;
  log?: (line: string) => void;
}): Promise<{ url: string; close(): Promise<void> }>;
