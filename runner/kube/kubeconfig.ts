/**
 * Finds the kubeconfig and context as kubectl does: `--kubeconfig FILE`, else
 * the files of KUBECONFIG merged (the first to set a name or the current
 * context wins), else ~/.kube/config, else the pod's service account when the
 * runner runs in a cluster. `--context NAME`, else the current context.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { AloftError } from "../../compiler/errors.ts";

export interface KubeconfigRequest {
  /** `--kubeconfig FILE`. */
  file?: string;
  /** `--context NAME`. */
  context?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export interface LoadedKubeconfig {
  kubeconfig: KubeConfig;
  /** Where it came from: the files read, or "in-cluster service account". */
  source: string;
  context: string;
  /** The context's namespace, when it sets one. */
  namespace?: string;
  server: string;
}

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export function loadKubeconfig(request: KubeconfigRequest = {}): LoadedKubeconfig {
  const env = request.env ?? process.env;
  const files = kubeconfigFiles(request, env);
  if (files.length === 0) {
    if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) return inCluster(request.context);
    throw kubeconfigError("KUBECONFIG_NOT_FOUND", `no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or create ${join(request.home ?? homedir(), ".kube", "config")}`);
  }
  const merged = merge(files.map(readFile));
  const source = files.join(delimiter);
  const names = merged.contexts.map((context) => context.name);
  const contextName = request.context ?? merged.currentContext;
  if (!contextName) {
    throw kubeconfigError(
      "KUBECONFIG_NO_CONTEXT",
      `kubeconfig ${source} has no current context: pass --context NAME${names.length ? ` (its contexts: ${names.join(", ")})` : " (it defines no contexts)"}`,
    );
  }
  const context = merged.contexts.find((candidate) => candidate.name === contextName);
  if (!context) {
    throw kubeconfigError(
      "KUBECONFIG_CONTEXT_NOT_FOUND",
      `context "${contextName}" is not in kubeconfig ${source}${names.length ? ` (its contexts: ${names.join(", ")})` : " (it defines no contexts)"}`,
    );
  }
  const cluster = merged.clusters.find((candidate) => candidate.name === context.cluster);
  if (!cluster) {
    throw kubeconfigError("KUBECONFIG_INVALID", `context "${contextName}" in kubeconfig ${source} names cluster "${context.cluster}", which it does not define`);
  }
  if (context.user && !merged.users.some((user) => user.name === context.user)) {
    throw kubeconfigError("KUBECONFIG_INVALID", `context "${contextName}" in kubeconfig ${source} names user "${context.user}", which it does not define`);
  }
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({ ...merged, currentContext: contextName });
  return { kubeconfig, source, context: contextName, ...(context.namespace ? { namespace: context.namespace } : {}), server: cluster.server };
}

function kubeconfigFiles(request: KubeconfigRequest, env: NodeJS.ProcessEnv): string[] {
  if (request.file !== undefined) {
    if (!existsSync(request.file)) throw kubeconfigError("KUBECONFIG_NOT_FOUND", `kubeconfig ${request.file} (from --kubeconfig) does not exist`);
    return [request.file];
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean);
    // kubectl skips listed files that do not exist, and fails only when none does.
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) throw kubeconfigError("KUBECONFIG_NOT_FOUND", `none of the kubeconfig files in KUBECONFIG exists: ${listed.join(", ")}`);
    return present;
  }
  const standard = join(request.home ?? homedir(), ".kube", "config");
  return existsSync(standard) ? [standard] : [];
}

function readFile(file: string): KubeConfig {
  const kubeconfig = new KubeConfig();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw kubeconfigError("KUBECONFIG_INVALID", `kubeconfig ${file} cannot be read: ${(error as Error).message}`);
  }
  // kubectl reads an empty file as an empty config.
  if (text.trim() === "") return kubeconfig;
  try {
    kubeconfig.loadFromString(text);
    if (!Array.isArray(kubeconfig.clusters) || !Array.isArray(kubeconfig.users) || !Array.isArray(kubeconfig.contexts)) {
      throw new Error("it is not a YAML mapping with clusters, users and contexts");
    }
    kubeconfig.makePathsAbsolute(dirname(file));
  } catch (error) {
    throw kubeconfigError("KUBECONFIG_INVALID", `kubeconfig ${file} is not valid: ${(error as Error).message}`);
  }
  return kubeconfig;
}

type Parts = Pick<KubeConfig, "clusters" | "users" | "contexts"> & { currentContext: string };

function merge(configs: KubeConfig[]): Parts {
  const merged: Parts = { clusters: [], users: [], contexts: [], currentContext: "" };
  for (const config of configs) {
    const current = config.getCurrentContext();
    if (!merged.currentContext && current) merged.currentContext = current;
    merged.clusters.push(...config.clusters.filter((entry) => !merged.clusters.some((known) => known.name === entry.name)));
    merged.users.push(...config.users.filter((entry) => !merged.users.some((known) => known.name === entry.name)));
    merged.contexts.push(...config.contexts.filter((entry) => !merged.contexts.some((known) => known.name === entry.name)));
  }
  return merged;
}

function inCluster(context: string | undefined): LoadedKubeconfig {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromCluster();
  const name = kubeconfig.getCurrentContext();
  if (context !== undefined && context !== name) {
    throw kubeconfigError("KUBECONFIG_CONTEXT_NOT_FOUND", `context "${context}" does not exist: no kubeconfig was found, and in a cluster the only context is the pod's service account`);
  }
  const namespace = kubeconfig.getContextObject(name)?.namespace?.trim();
  return { kubeconfig, source: "in-cluster service account", context: name, ...(namespace ? { namespace } : {}), server: kubeconfig.getCurrentCluster()?.server ?? "" };
}

function kubeconfigError(code: string, message: string): AloftError {
  return new AloftError({ code, message });
}
