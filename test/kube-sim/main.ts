// `npm run kube-sim -- --kubeconfig FILE [--port N] [--pod-start-latency MS]`:
// starts the simulator on its own, writes a kubeconfig for it once it
// listens, and runs until interrupted.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { KubeSimulator } from "./simulator.ts";

const usage = "usage: npm run kube-sim -- --kubeconfig FILE [--port N] [--pod-start-latency MS]";

function fail(message: string): never {
  process.stderr.write(`kube-sim: ${message}\n${usage}\n`);
  process.exit(2);
}

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) fail(`--${name} wants a whole number from ${min} to ${max}, got "${value}"`);
  return number;
}

let options;
try {
  options = parseArgs({
    options: {
      kubeconfig: { type: "string" },
      port: { type: "string" },
      "pod-start-latency": { type: "string" },
      help: { type: "boolean" },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (options.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!options.kubeconfig) fail("--kubeconfig FILE is required: where to write the kubeconfig that points at the simulator");

const kubeconfig = resolve(options.kubeconfig);
const port = numberOption(options.port, "port", 0, 65535);
const podStartLatencyMs = numberOption(options["pod-start-latency"], "pod-start-latency", 0, 3_600_000);
let sim: KubeSimulator;
try {
  sim = await KubeSimulator.start({
    ...(port !== undefined ? { port } : {}),
    ...(podStartLatencyMs !== undefined ? { podStartLatencyMs } : {}),
  });
} catch (error) {
  fail(`cannot listen on 127.0.0.1:${port ?? 0}: ${(error as Error).message}`);
}
try {
  sim.writeKubeconfig(kubeconfig);
} catch (error) {
  await sim.stop();
  fail(`cannot write the kubeconfig ${kubeconfig}: ${(error as Error).message}`);
}
process.stdout.write(
  `kube-sim: Kubernetes API simulator listening at ${sim.url}\n` +
    `kube-sim: kubeconfig written to ${kubeconfig} (context "kube-sim", namespace "default")\n` +
    `kube-sim: knobs and request counts under ${sim.url}/sim/ (see test/kube-sim/admin-routes.ts); Ctrl+C stops\n`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sim.stop().then(() => process.exit(0));
  });
}
