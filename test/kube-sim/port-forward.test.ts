// Port-forward through client-node's PortForward (a WebSocket with the
// v4.channel.k8s.io framing) to a TCP echo server running in a pod, both
// directly and relayed from a local listening socket, as the runner will
// relay a pod's Node inspector to the editor.
import assert from "node:assert/strict";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { nodePod, type SimulatorClient, startSimulator, waitFor } from "./test-support.ts";

const namespace = "forward-test";
const echoServer = `
  const server = require("node:net").createServer((socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;

describe("kube-sim port-forward", () => {
  let client: SimulatorClient;
  let echoPort: number;
  before(async () => {
    client = await startSimulator();
    await client.core.createNamespace({ body: { metadata: { name: namespace } } });
    await client.core.createNamespacedPod({ namespace, body: nodePod("echo", echoServer) });
    echoPort = Number(
      await waitFor("the echo server's port in its log", async () => {
        const pod = await client.core.readNamespacedPod({ namespace, name: "echo" });
        if (pod.status?.phase !== "Running") return undefined;
        const log = await client.core.readNamespacedPodLog({ namespace, name: "echo" });
        return log.endsWith("\n") ? log.trim() : undefined;
      }),
    );
  });
  after(() => client.sim.stop());

  it("forwards bytes both ways through the pod's port", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    let echoed = Buffer.alloc(0);
    output.on("data", (chunk: Buffer) => (echoed = Buffer.concat([echoed, chunk])));
    const ws = (await new k8s.PortForward(client.kc).portForward(namespace, "echo", [echoPort], output, errors, input)) as {
      protocol: string;
      close(): void;
    };
    assert.equal(ws.protocol, "v4.channel.k8s.io");
    input.write("ping\n");
    await waitFor("the echo", () => echoed.toString() === "ping\n");
    input.write(Buffer.from([0, 1, 2, 255]));
    await waitFor("the binary echo", () => echoed.length === 9);
    assert.deepEqual([...echoed.subarray(5)], [0, 1, 2, 255]);
    input.end();
    assert.equal(errors.read(), null);
    assert.equal(client.sim.counts().byRoute["create pods/portforward"], 1);
  });

  it("relays a local listening socket to the pod, one forward per connection", async () => {
    const forward = new k8s.PortForward(client.kc);
    const relay = createServer((socket: Socket) => {
      void forward.portForward(namespace, "echo", [echoPort], socket, null, socket);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    try {
      const port = (relay.address() as AddressInfo).port;
      const talk = async (message: string) => {
        const socket = connect({ host: "127.0.0.1", port });
        let reply = "";
        socket.on("data", (chunk: Buffer) => (reply += chunk.toString()));
        socket.write(message);
        await waitFor(`the echo of ${message}`, () => reply === message);
        socket.destroy();
      };
      await Promise.all([talk("first connection"), talk("second connection")]);
    } finally {
      relay.close();
    }
  });

  it("reports a port nobody listens on over the error channel", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const unusedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const errors = new PassThrough();
    let message = "";
    errors.on("data", (chunk: Buffer) => (message += chunk.toString()));
    await new k8s.PortForward(client.kc).portForward(namespace, "echo", [unusedPort], new PassThrough(), errors, new PassThrough());
    await waitFor("the error message", () => message.includes("error forwarding port"));
    assert.match(message, new RegExp(`port ${unusedPort} to pod echo`));
  });

  it("refuses to forward to a pod that is not running", async () => {
    client.sim.setPodStartLatency(60_000);
    try {
      await client.core.createNamespacedPod({ namespace, body: nodePod("not-yet", echoServer) });
      await assert.rejects(
        new k8s.PortForward(client.kc).portForward(namespace, "not-yet", [echoPort], new PassThrough(), null, new PassThrough()),
      );
    } finally {
      client.sim.setPodStartLatency(0);
    }
  });
});
