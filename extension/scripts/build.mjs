// Bundles the extension into dist/extension.js: one CommonJS file for VS Code's extension host, which provides `vscode`.
import { build } from "esbuild";

const production = process.argv.includes("--production");

await build({
  entryPoints: { extension: "src/extension.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
});
