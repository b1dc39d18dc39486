// What the API server checks and defaults when a pod is created, narrowed to
// what the simulator can run: one container whose `command` is a local
// program, restartPolicy Never. Anything else is refused with a 422 naming
// the field, so a test learns at once that it asked for more than a pod run
// as a local process can give.
import { randomInt } from "node:crypto";
import type { ContainerSpec, Pod } from "./objects.ts";
import { badRequest, invalid } from "./responses.ts";

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const supportedFieldRefs = new Set(["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "status.podIP", "status.hostIP"]);

export function admitPod(body: unknown, namespace: string): Pod {
  if (!isRecord(body)) throw badRequest("a pod must be a JSON object");
  if (body.kind !== undefined && body.kind !== "Pod") throw badRequest(`expected kind "Pod", got "${String(body.kind)}"`);
  const metadata = isRecord(body.metadata) ? { ...body.metadata } : {};
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw badRequest(
      `the namespace of the provided object (${String(metadata.namespace)}) does not match the namespace sent on the request (${namespace})`,
    );
  }
  let name = typeof metadata.name === "string" ? metadata.name : "";
  if (!name && typeof metadata.generateName === "string") name = metadata.generateName + randomSuffix();
  if (!name) throw invalid("Pod", "", "metadata.name", "Required value: name or generateName is required");
  if (name.length > 253 || !dnsSubdomain.test(name)) {
    throw invalid("Pod", name, "metadata.name", `Invalid value: "${name}": a lowercase RFC 1123 subdomain is required`);
  }
  checkStringMap(metadata.labels, "Pod", name, "metadata.labels");
  checkStringMap(metadata.annotations, "Pod", name, "metadata.annotations");

  if (!isRecord(body.spec)) throw invalid("Pod", name, "spec", "Required value");
  const spec = { ...body.spec };
  const restartPolicy = spec.restartPolicy ?? "Always";
  if (restartPolicy !== "Never") {
    throw invalid(
      "Pod",
      name,
      "spec.restartPolicy",
      `Unsupported value: "${String(restartPolicy)}": the simulator runs pods with restartPolicy "Never" only (the default is "Always")`,
    );
  }
  if (spec.initContainers !== undefined && (!Array.isArray(spec.initContainers) || spec.initContainers.length > 0)) {
    throw invalid("Pod", name, "spec.initContainers", "Forbidden: the simulator runs no init containers");
  }
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (typeof grace !== "number" || !Number.isInteger(grace) || grace < 0) {
    throw invalid("Pod", name, "spec.terminationGracePeriodSeconds", `Invalid value: ${JSON.stringify(grace)}: must be a whole number >= 0`);
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    throw invalid("Pod", name, "spec.containers", "Required value");
  }
  if (spec.containers.length > 1) {
    throw invalid("Pod", name, "spec.containers", "Forbidden: the simulator runs one container per pod");
  }
  const container = checkContainer(spec.containers[0], name);

  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...metadata, name, namespace, uid: "", resourceVersion: "", creationTimestamp: "" },
    spec: { ...spec, containers: [container], restartPolicy, terminationGracePeriodSeconds: grace },
    status: { phase: "Pending", qosClass: "BestEffort" },
  };
}

function checkContainer(value: unknown, pod: string): ContainerSpec {
  const field = "spec.containers[0]";
  if (!isRecord(value)) throw invalid("Pod", pod, field, "Invalid value: a container must be an object");
  if (typeof value.name !== "string" || !dnsSubdomain.test(value.name)) {
    throw invalid("Pod", pod, `${field}.name`, "Required value: a lowercase RFC 1123 label");
  }
  if (!isStringArray(value.command) || value.command.length === 0) {
    throw invalid(
      "Pod",
      pod,
      `${field}.command`,
      "Required value: the simulator runs the container's command as a local process, and has no image entrypoint to fall back on",
    );
  }
  if (value.args !== undefined && !isStringArray(value.args)) {
    throw invalid("Pod", pod, `${field}.args`, "Invalid value: must be an array of strings");
  }
  if (value.workingDir !== undefined && typeof value.workingDir !== "string") {
    throw invalid("Pod", pod, `${field}.workingDir`, "Invalid value: must be a string");
  }
  const env = value.env ?? [];
  if (!Array.isArray(env)) throw invalid("Pod", pod, `${field}.env`, "Invalid value: must be an array");
  env.forEach((entry, index) => {
    const at = `${field}.env[${index}]`;
    if (!isRecord(entry) || typeof entry.name !== "string" || entry.name === "") {
      throw invalid("Pod", pod, `${at}.name`, "Required value");
    }
    if (entry.value !== undefined && typeof entry.value !== "string") {
      throw invalid("Pod", pod, `${at}.value`, "Invalid value: must be a string");
    }
    if (entry.valueFrom !== undefined) {
      const fieldPath = isRecord(entry.valueFrom) && isRecord(entry.valueFrom.fieldRef) ? entry.valueFrom.fieldRef.fieldPath : undefined;
      if (typeof fieldPath !== "string" || !supportedFieldRefs.has(fieldPath)) {
        throw invalid(
          "Pod",
          pod,
          `${at}.valueFrom`,
          `Unsupported value: the simulator resolves only fieldRef of ${[...supportedFieldRefs].join(", ")}`,
        );
      }
    }
  });
  return { ...value, name: value.name, command: value.command, env } as ContainerSpec;
}

function checkStringMap(value: unknown, kind: string, name: string, field: string): void {
  if (value === undefined) return;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw invalid(kind, name, field, "Invalid value: must map strings to strings");
  }
}

function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
