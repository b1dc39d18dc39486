/**
 * An esbuild plugin that keeps packages external, except TypeScript's API:
 * its fifty-odd small modules, each resolved, read and compiled on its own,
 * cost the checker's start more than the same code inside a chunk. tsgo
 * itself stays in the package. Shared by the build and the benchmarks that
 * must start the way the built CLI starts.
 */
export const bundleTypeScriptApi = {
  name: "bundle-typescript-api",
  setup(build) {
    // `#…` are the package's own subpath imports, resolved inside it.
    const inside = (path) => path.startsWith("typescript/unstable/") || path.startsWith("#");
    build.onResolve({ filter: /^[^./]/ }, (args) => (inside(args.path) || args.kind === "entry-point" ? undefined : { path: args.path, external: true }));
  },
};
