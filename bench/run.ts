// Runs one benchmark by name: `npm run bench -- map-overhead`.
const name = process.argv[2];
const known = ["map-overhead", "big-map", "check-vs-tsc", "lsp-latency", "warm-pods"];
if (!name || !known.includes(name)) {
  console.error(`usage: npm run bench -- <${known.join("|")}> [options]`);
  process.exit(2);
}
await import(`./${name}.ts`);
