// A kubeconfig that points a Kubernetes client at the simulator: one cluster
// at http://127.0.0.1:PORT (client-node talks plain HTTP only when the
// cluster skips TLS verification), one token user, one context.
import { chmodSync, renameSync, writeFileSync } from "node:fs";

export interface KubeconfigFields {
  server: string;
  token: string;
  /** The name of the cluster, user and context; "kube-sim" by default. */
  name?: string;
  namespace?: string;
}

export function kubeconfigText({ server, token, name = "kube-sim", namespace = "default" }: KubeconfigFields): string {
  const q = (text: string) => JSON.stringify(text);
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${q(name)}`,
    "  cluster:",
    `    server: ${q(server)}`,
    "    insecure-skip-tls-verify: true",
    "users:",
    `- name: ${q(name)}`,
    "  user:",
    `    token: ${q(token)}`,
    "contexts:",
    `- name: ${q(name)}`,
    "  context:",
    `    cluster: ${q(name)}`,
    `    user: ${q(name)}`,
    `    namespace: ${q(namespace)}`,
    `current-context: ${q(name)}`,
    "",
  ].join("\n");
}

/** Writes the kubeconfig whole (it holds a token: readable by its owner only). */
export function writeKubeconfig(file: string, fields: KubeconfigFields): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, kubeconfigText(fields), { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
}
