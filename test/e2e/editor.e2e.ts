// aloft's VS Code extension in a real VS Code, driven as a person would use
// it: a copy of samples/ as the workspace, aloft installed in its
// node_modules, the extension installed from its .vsix. The same steps run
// on each workbench there is: code-server 4.100.3 in Debian's Chromium
// always, and a desktop VS Code (Electron, through playwright-core) when
// ALOFT_VSCODE_PATH names its executable; without it that run is skipped,
// saying why. `npm run test:e2e` runs it; `npm test` does not (it is not a
// *.test.ts): it installs code-server into a cache folder the first time.
import { describe, it } from "node:test";
import { codeServerTarget } from "./code-server-session.ts";
import { VSCODE_PATH_VARIABLE } from "./desktop-vscode.ts";
import { describeEditor } from "./editor-suite.ts";
import { electronTarget } from "./electron-session.ts";

describeEditor(codeServerTarget);

const desktop = process.env[VSCODE_PATH_VARIABLE];
if (desktop) describeEditor(electronTarget(desktop));
else {
  describe("aloft in VS Code (desktop VS Code, Electron)", () => {
    it(`runs the same steps under a desktop VS Code when ${VSCODE_PATH_VARIABLE} names one`, (t) => {
      const reason = `${VSCODE_PATH_VARIABLE} is not set: no desktop VS Code on this machine, so only code-server (a real VS Code workbench in Chromium) ran these steps`;
      process.stderr.write(`skipped: ${reason}\n`);
      t.skip(reason);
    });
  });
}
