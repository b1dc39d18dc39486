import assert from "node:assert/strict";
import { it } from "node:test";
import { documentFile } from "./document-files.ts";

it("maps file: URIs to paths, decoding escapes", () => {
  assert.deepEqual(documentFile("file:///work/my%20flows/train.ts"), { file: "/work/my flows/train.ts" });
});

it("says why a document without a file is not checked", () => {
  const untitled = documentFile("untitled:Untitled-1");
  assert.ok("notAFile" in untitled && /not saved yet: .*save it as a \.ts file/.test(untitled.notAFile));
  const git = documentFile("git:/work/train.ts?ref=HEAD");
  assert.ok("notAFile" in git && /scheme "git"/.test(git.notAFile));
  const garbage = documentFile("train.ts");
  assert.ok("notAFile" in garbage && /"train\.ts" is not a URI/.test(garbage.notAFile));
  const remote = documentFile("file://server/share/train.ts");
  assert.ok("notAFile" in remote, "a file: URI on another host is no local file");
});
