/**
 * The machine packages the editor test needs: Debian's Chromium (the browser
 * that drives code-server) and the Kerberos headers (code-server's kerberos
 * module is built from source when it installs). CI runs as root on a fresh
 * machine, so they are installed with apt-get when missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";
const KERBEROS_HEADER = "/usr/include/gssapi/gssapi.h";

export function ensureDebianPackages(): void {
  const missing = [!existsSync(CHROMIUM) && "chromium", !existsSync(KERBEROS_HEADER) && "libkrb5-dev"].filter((name): name is string => Boolean(name));
  if (!missing.length) return;
  const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) throw new Error(`the editor test needs ${missing.join(" and ")} (missing ${CHROMIUM} or ${KERBEROS_HEADER}): run as root: ${command}`);
  process.stderr.write(`installing ${missing.join(", ")}: ${command}\n`);
  // Progress goes to stderr: the test runner reads stdout.
  const result = spawnSync("sh", ["-c", command], { stdio: ["ignore", 2, 2], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (result.status !== 0) throw new Error(`${command} failed (exit ${result.status ?? result.signal})`);
}
