import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { AloftError } from "../../compiler/errors.ts";
import { loadKubeconfig } from "./kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, contexts: { name: string; namespace?: string; server?: string }[], current?: string): string {
  const path = join(dir, file);
  const lines = ["apiVersion: v1", "kind: Config", "clusters:"];
  for (const c of contexts) lines.push(`- name: ${c.name}-cluster`, "  cluster:", `    server: ${c.server ?? `https://${c.name}.example:6443`}`);
  lines.push("users:");
  for (const c of contexts) lines.push(`- name: ${c.name}-user`, "  user:", "    token: t");
  lines.push("contexts:");
  for (const c of contexts) {
    lines.push(`- name: ${c.name}`, "  context:", `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`);
    if (c.namespace) lines.push(`    namespace: ${c.namespace}`);
  }
  if (current) lines.push(`current-context: ${current}`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function failure(run: () => unknown): AloftError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AloftError, `expected an AloftError, got ${error}`);
    return error;
  }
  throw new Error("it did not fail");
}

describe("finding the kubeconfig and context", () => {
  const noEnv = {};

  it("reads --kubeconfig, its current context and that context's namespace", () => {
    const file = kubeconfig("one.yaml", [{ name: "dev", namespace: "batch" }, { name: "prod" }], "dev");
    const loaded = loadKubeconfig({ file, env: noEnv });
    assert.deepEqual([loaded.source, loaded.context, loaded.namespace, loaded.server], [file, "dev", "batch", "https://dev.example:6443"]);
    assert.equal(loaded.kubeconfig.getCurrentCluster()?.server, "https://dev.example:6443");
  });

  it("takes --context over the current context", () => {
    const file = kubeconfig("two.yaml", [{ name: "dev" }, { name: "prod" }], "dev");
    const loaded = loadKubeconfig({ file, context: "prod", env: noEnv });
    assert.deepEqual([loaded.context, loaded.namespace, loaded.kubeconfig.getCurrentContext()], ["prod", undefined, "prod"]);
  });

  it("merges the files of KUBECONFIG, the first to name a thing winning", () => {
    const first = kubeconfig("first.yaml", [{ name: "shared", server: "https://first:6443" }], "shared");
    const second = kubeconfig("second.yaml", [{ name: "shared", server: "https://second:6443" }, { name: "other" }], "other");
    const env = { KUBECONFIG: [join(dir, "missing.yaml"), first, second].join(delimiter) };
    const loaded = loadKubeconfig({ env });
    assert.deepEqual([loaded.context, loaded.server], ["shared", "https://first:6443"]);
    assert.equal(loadKubeconfig({ env, context: "other" }).server, "https://other.example:6443");
  });

  it("falls back to ~/.kube/config", () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".kube"), { recursive: true });
    const file = kubeconfig("home/.kube/config", [{ name: "kind" }], "kind");
    const loaded = loadKubeconfig({ env: noEnv, home });
    assert.deepEqual([loaded.source, loaded.context], [file, "kind"]);
  });

  it("says where it looked when there is no kubeconfig", () => {
    const home = join(dir, "empty-home");
    const error = failure(() => loadKubeconfig({ env: noEnv, home }));
    assert.equal(error.info.code, "KUBECONFIG_NOT_FOUND");
    assert.equal(error.message, `no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or create ${join(home, ".kube", "config")}`);
    assert.match(failure(() => loadKubeconfig({ file: join(dir, "nope.yaml"), env: noEnv })).message, /kubeconfig .*nope\.yaml \(from --kubeconfig\) does not exist/);
    assert.match(failure(() => loadKubeconfig({ env: { KUBECONFIG: join(dir, "nope.yaml") } })).message, /none of the kubeconfig files in KUBECONFIG exists: .*nope\.yaml/);
  });

  it("names the file and the contexts it has when a context is missing", () => {
    const file = kubeconfig("ctx.yaml", [{ name: "dev" }, { name: "prod" }]);
    const none = failure(() => loadKubeconfig({ file, env: noEnv }));
    assert.equal(none.info.code, "KUBECONFIG_NO_CONTEXT");
    assert.equal(none.message, `kubeconfig ${file} has no current context: pass --context NAME (its contexts: dev, prod)`);
    const unknown = failure(() => loadKubeconfig({ file, context: "staging", env: noEnv }));
    assert.equal(unknown.info.code, "KUBECONFIG_CONTEXT_NOT_FOUND");
    assert.equal(unknown.message, `context "staging" is not in kubeconfig ${file} (its contexts: dev, prod)`);
  });

  it("names the file of an invalid kubeconfig", () => {
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "clusters:\n- name: x\n");
    const error = failure(() => loadKubeconfig({ file: broken, env: noEnv }));
    assert.equal(error.info.code, "KUBECONFIG_INVALID");
    assert.equal(error.message, `kubeconfig ${broken} is not valid: clusters[0].cluster is missing`);
    const notYaml = join(dir, "not-yaml.yaml");
    writeFileSync(notYaml, "clusters: [\n");
    assert.match(failure(() => loadKubeconfig({ file: notYaml, env: noEnv })).message, /kubeconfig .*not-yaml\.yaml is not valid: /);
    const dangling = join(dir, "dangling.yaml");
    writeFileSync(dangling, "contexts:\n- name: c\n  context:\n    cluster: gone\n    user: u\ncurrent-context: c\n");
    assert.equal(failure(() => loadKubeconfig({ file: dangling, env: noEnv })).message, `context "c" in kubeconfig ${dangling} names cluster "gone", which it does not define`);
  });
});
