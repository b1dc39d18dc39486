/**
 * A connection to the inspector of a task paused in a pod: a Kubernetes
 * port-forward (the `v4.channel.k8s.io` WebSocket kubectl uses) to the port
 * the pod's agent announced, as one Duplex the runner's debugger tunnel
 * pipes to the editor. The inspector listens on the pod's loopback, which
 * only a port-forward reaches.
 */
import { Duplex, PassThrough } from "node:stream";
import { type KubeConfig, PortForward } from "@kubernetes/client-node";

export async function connectPodInspector(kubeconfig: KubeConfig, namespace: string, pod: string, port: number): Promise<Duplex> {
  const fromPod = new PassThrough();
  const toPod = new PassThrough();
  const errors = new PassThrough();
  const forwarded = await new PortForward(kubeconfig).portForward(namespace, pod, [port], fromPod, errors, toPod);
  const socket = typeof forwarded === "function" ? forwarded() : forwarded;
  if (!socket) throw new Error(`the port-forward to pod ${pod} in namespace ${namespace} did not open`);
  const connection = Duplex.from({ readable: fromPod, writable: toPod });
  let problem = "";
  errors.on("data", (chunk: Buffer) => {
    problem += chunk.toString();
    connection.destroy(new Error(`the port-forward to port ${port} of pod ${pod} failed: ${problem.trim()}`));
  });
  socket.on("close", () => fromPod.end());
  connection.on("close", () => socket.close());
  return connection;
}
