import type { Plugin } from "esbuild";

/** See typescript-api-bundling.mjs. */
export declare const bundleTypeScriptApi: Plugin;
