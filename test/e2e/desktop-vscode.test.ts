// ALOFT_VSCODE_PATH checked before the editor test starts a desktop VS Code:
// on made-up installs, since no desktop VS Code is on these machines.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { findDesktopVsCode } from "./desktop-vscode.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "aloft-desktop-vscode-")));
after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text = "", executable = false): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

/** A Linux install as Microsoft's package lays it out: code, resources/app/{product,package}.json, bin/code. */
function install(name: string, { version = "1.101.2", launcher = true } = {}): string {
  const dir = join(root, name);
  file(join(dir, "resources/app/product.json"), JSON.stringify({ applicationName: "code", nameLong: "Visual Studio Code" }));
  file(join(dir, "resources/app/package.json"), JSON.stringify({ name: "code-oss-dev", version }));
  if (launcher) file(join(dir, "bin/code"), "#!/bin/sh\n", true);
  return file(join(dir, "code"), "", true);
}

function refusal(path: string, platform: NodeJS.Platform = "linux"): string {
  try {
    findDesktopVsCode(path, platform);
  } catch (error) {
    const message = (error as Error).message;
    assert.ok(message.startsWith(`ALOFT_VSCODE_PATH is "${path}", `), message);
    assert.match(message, /unset it to run the editor test on code-server alone$/);
    return message;
  }
  assert.fail(`${path} was taken for a desktop VS Code`);
}

describe("the desktop VS Code of ALOFT_VSCODE_PATH", () => {
  it("is found with its launcher and version", () => {
    const executable = install("good");
    assert.deepEqual(findDesktopVsCode(executable, "linux"), { executable, cli: join(root, "good/bin/code"), version: "1.101.2" });
  });

  it("is refused, naming the variable and what is wrong, when it is no VS Code", () => {
    assert.match(refusal(join(root, "nowhere/code")), /which does not exist/);
    mkdirSync(join(root, "a-folder"));
    assert.match(refusal(join(root, "a-folder")), /which is a folder, not VS Code's executable/);
    assert.match(refusal(file(join(root, "plain/code"))), /which is not executable/);
    const stray = file(join(root, "stray/electron"), "", true);
    const notVsCode = refusal(stray);
    assert.ok(notVsCode.includes(`which is not a desktop VS Code: there is no VS Code product.json at ${join(root, "stray/resources/app/product.json")}; set it`), notVsCode);
    const launcher = join(root, "good-too/bin/code");
    install("good-too");
    assert.match(refusal(launcher), /it looks like the command-line launcher: name the Electron executable it starts \(.*good-too\/code\)/);
    // As /usr/bin/code links to the launcher inside the install.
    mkdirSync(join(root, "usr-bin"));
    symlinkSync(launcher, join(root, "usr-bin/code"));
    assert.match(refusal(join(root, "usr-bin/code")), /it looks like the command-line launcher: name the Electron executable it starts \(.*good-too\/code\)/);
  });

  it("is refused when it is older than the extension's engines.vscode, or has no launcher", () => {
    assert.match(refusal(install("old", { version: "1.99.3" })), /which is Visual Studio Code 1\.99\.3, older than the 1\.100\.0 the extension needs/);
    assert.match(refusal(install("no-launcher", { launcher: false })), /whose command-line launcher .*no-launcher\/bin\/code is missing/);
  });

  it("follows the macOS layout: the app's Resources beside its MacOS folder", () => {
    const app = join(root, "Visual Studio Code.app/Contents");
    file(join(app, "Resources/app/product.json"), JSON.stringify({ applicationName: "code", nameLong: "Visual Studio Code" }));
    file(join(app, "Resources/app/package.json"), JSON.stringify({ version: "1.102.0" }));
    file(join(app, "Resources/app/bin/code"), "#!/bin/sh\n", true);
    const executable = file(join(app, "MacOS/Electron"), "", true);
    assert.deepEqual(findDesktopVsCode(executable, "darwin"), { executable, cli: join(app, "Resources/app/bin/code"), version: "1.102.0" });
  });
});
