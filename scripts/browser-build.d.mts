// Types of scripts/browser-build.mjs for the TypeScript specs that import it.
import type { BuildResult, Metafile } from 'esbuild';

export declare const browserOptions: Record<string, unknown>;
export declare function buildBrowser(
  entry: string,
  options?: { outfile?: string; minify?: boolean; sourcemap?: boolean; alias?: Record<string, string> },
): Promise<{ result: BuildResult; nodeImports: string[]; code: Uint8Array | undefined }>;
export declare function nodeImports(metafile: Metafile): string[];
