// Types of scripts/web-data.mjs.
export declare function mnistBinary(): Uint8Array;
