import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AloftError } from "../../compiler/errors.ts";
import { BlobStore } from "./blob-store.ts";

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

function fresh(): { dir: string; store: BlobStore } {
  const dir = mkdtempSync(join(tmpdir(), "aloft-blobs-"));
  return { dir, store: new BlobStore(join(dir, "blobs")) };
}

function blobFiles(store: BlobStore): string[] {
  const base = join(store.root, "sha256");
  return readdirSync(base).flatMap((prefix) => readdirSync(join(base, prefix)).map((rest) => prefix + rest));
}

function tree(root: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const rejectsWith = (code: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AloftError, `expected an AloftError, got ${String(error)}`);
  assert.equal(error.info.code, code);
  if (pattern) assert.match(error.message, pattern);
  return true;
};

describe("BlobStore files", () => {
  it("stores a file under its sha256 and reports name and size", async () => {
    const { dir, store } = fresh();
    writeFileSync(join(dir, "a.txt"), "hello");
    const wire = await store.putFile(join(dir, "a.txt"));
    assert.deepEqual(wire, { $file: { digest: sha("hello"), name: "a.txt", size: 5 } });
    const hex = sha("hello").slice(7);
    assert.equal(store.pathOf(wire.$file.digest), join(store.root, "sha256", hex.slice(0, 2), hex.slice(2)));
    assert.equal(readFileSync(store.pathOf(wire.$file.digest), "utf8"), "hello");
    assert.ok(store.has(wire.$file.digest));
  });

  it("keeps one copy of equal content and leaves no temp files", async () => {
    const { dir, store } = fresh();
    writeFileSync(join(dir, "a.txt"), "same");
    writeFileSync(join(dir, "b.txt"), "same");
    const [a, b, c] = await Promise.all([
      store.putFile(join(dir, "a.txt")),
      store.putFile(join(dir, "b.txt"), "renamed.txt"),
      store.putBytes("same", "c.txt"),
    ]);
    assert.equal(a.$file.digest, b.$file.digest);
    assert.equal(a.$file.digest, c.$file.digest);
    assert.equal(b.$file.name, "renamed.txt");
    assert.deepEqual(blobFiles(store), [sha("same").slice(7)]);
    assert.deepEqual(readdirSync(join(store.root, "tmp")), []);
  });

  it("makes blobs read-only", async () => {
    const { store } = fresh();
    const wire = await store.putBytes(new Uint8Array([1, 2, 3]), "x.bin");
    assert.equal(statSync(store.pathOf(wire.$file.digest)).mode & 0o777, 0o444);
    assert.equal(wire.$file.size, 3);
  });

  it("does not re-read a file that is already a blob", async () => {
    const { store } = fresh();
    const first = await store.putBytes("content", "a.txt");
    const again = await store.putFile(store.pathOf(first.$file.digest), "b.txt");
    assert.deepEqual(again, { $file: { ...first.$file, name: "b.txt" } });
  });

  it("says which path is missing or is a directory", async () => {
    const { dir, store } = fresh();
    await assert.rejects(store.putFile(join(dir, "nope.csv")), rejectsWith("FILE_NOT_FOUND", /nope\.csv does not exist/));
    await assert.rejects(store.putFile(dir), rejectsWith("NOT_A_FILE", /is a directory/));
    await assert.rejects(store.putDir(join(dir, "nope")), rejectsWith("DIR_NOT_FOUND", /nope does not exist/));
    writeFileSync(join(dir, "f"), "x");
    await assert.rejects(store.putDir(join(dir, "f")), rejectsWith("NOT_A_DIR"));
  });

  it("checks digests and names missing blobs", async () => {
    const { store } = fresh();
    assert.throws(() => store.pathOf("md5:abc"), rejectsWith("DIGEST_INVALID", /"md5:abc" is not a blob digest/));
    assert.throws(() => store.has(`sha256:${"A".repeat(64)}`), rejectsWith("DIGEST_INVALID"));
    const absent = sha("never stored");
    assert.equal(store.has(absent), false);
    assert.throws(() => store.requirePath(absent), rejectsWith("BLOB_MISSING", new RegExp(absent)));
    await assert.rejects(store.readManifest(absent), rejectsWith("BLOB_MISSING", new RegExp(absent)));
  });
});

describe("BlobStore directories", () => {
  it("writes a sorted manifest with POSIX paths and stable key order", async () => {
    const { dir, store } = fresh();
    const root = tree(join(dir, "data"), { "b.txt": "B", "a/z.txt": "Z", "a/b/c.txt": "C" });
    const wire = await store.putDir(root);
    assert.equal(wire.$dir.name, "data");
    const text = readFileSync(store.pathOf(wire.$dir.digest), "utf8");
    assert.equal(
      text,
      JSON.stringify({
        entries: [
          { digest: sha("C"), path: "a/b/c.txt", size: 1 },
          { digest: sha("Z"), path: "a/z.txt", size: 1 },
          { digest: sha("B"), path: "b.txt", size: 1 },
        ],
      }),
    );
    assert.equal(wire.$dir.digest, sha(text));
    assert.deepEqual((await store.readManifest(wire.$dir.digest)).entries.map((e) => e.path), ["a/b/c.txt", "a/z.txt", "b.txt"]);
  });

  it("gives the same tree the same digest and a changed file a new one", async () => {
    const { dir, store } = fresh();
    const one = await store.putDir(tree(join(dir, "one"), { "x.csv": "1,2", "sub/y.csv": "3,4" }));
    const two = await store.putDir(tree(join(dir, "two"), { "sub/y.csv": "3,4", "x.csv": "1,2" }));
    assert.equal(one.$dir.digest, two.$dir.digest);
    writeFileSync(join(dir, "two", "sub", "y.csv"), "3,5");
    const changed = await store.putDir(join(dir, "two"));
    assert.notEqual(changed.$dir.digest, one.$dir.digest);
    const renamed = await store.putDir(tree(join(dir, "three"), { "x.csv": "1,2", "sub/z.csv": "3,4" }));
    assert.notEqual(renamed.$dir.digest, one.$dir.digest);
  });

  it("stores empty directories, at the root and inside", async () => {
    const { dir, store } = fresh();
    mkdirSync(join(dir, "empty"));
    const empty = await store.putDir(join(dir, "empty"));
    assert.deepEqual(await store.readManifest(empty.$dir.digest), { entries: [] });
    const root = tree(join(dir, "mixed"), { "a.txt": "A" });
    mkdirSync(join(root, "logs", "old"), { recursive: true });
    const mixed = await store.putDir(root);
    assert.deepEqual((await store.readManifest(mixed.$dir.digest)).emptyDirs, ["logs/old"]);
    const out = await store.materializeDir(mixed);
    assert.deepEqual(readdirSync(join(out, "logs", "old")), []);
    assert.deepEqual(readdirSync(await store.materializeDir(empty)), []);
  });

  it("follows symbolic links to files and directories, and refuses cycles and dangling links", async () => {
    const { dir, store } = fresh();
    const outside = tree(join(dir, "outside"), { "shared.txt": "S", "lib/l.txt": "L" });
    const root = tree(join(dir, "linked"), { "own.txt": "O" });
    symlinkSync(join(outside, "shared.txt"), join(root, "shared.txt"));
    symlinkSync(join(outside, "lib"), join(root, "lib"));
    const wire = await store.putDir(root);
    const manifest = await store.readManifest(wire.$dir.digest);
    assert.deepEqual(manifest.entries.map((e) => [e.path, e.digest]), [
      ["lib/l.txt", sha("L")],
      ["own.txt", sha("O")],
      ["shared.txt", sha("S")],
    ]);
    symlinkSync(root, join(root, "loop"));
    await assert.rejects(store.putDir(root), rejectsWith("DIR_INVALID", /loop is a symbolic link back/));
    const dangling = tree(join(dir, "dangling"), { "a.txt": "A" });
    symlinkSync(join(dir, "gone"), join(dangling, "b.txt"));
    await assert.rejects(store.putDir(dangling), rejectsWith("DIR_INVALID", /b\.txt is a symbolic link to a path that does not exist/));
  });

  it("materializes a directory once with its original names, linked to the blobs", async () => {
    const { dir, store } = fresh();
    const wire = await store.putDir(tree(join(dir, "src"), { "a.txt": "A", "deep/er/b.txt": "B" }));
    const first = await store.materializeDir(wire);
    assert.equal(first, join(store.root, "dirs", wire.$dir.digest.slice(7)));
    assert.equal(readFileSync(join(first, "deep", "er", "b.txt"), "utf8"), "B");
    assert.equal(statSync(join(first, "a.txt")).ino, statSync(store.pathOf(sha("A"))).ino);
    const marker = statSync(first).ino;
    assert.equal(await store.materializeDir(wire), first);
    assert.equal(statSync(first).ino, marker, "the second call reuses the tree");
  });

  it("lets concurrent builders agree on one tree", async () => {
    const { dir, store } = fresh();
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`part-${i}/data.txt`] = `row ${i}`;
    const wire = await store.putDir(tree(join(dir, "src"), files));
    // Separate instances share no in-process state, so they race on the rename.
    const builders = [store, new BlobStore(store.root), new BlobStore(store.root), new BlobStore(store.root)];
    const paths = await Promise.all(builders.flatMap((b) => [b.materializeDir(wire), b.materializeDir(wire)]));
    assert.equal(new Set(paths).size, 1);
    assert.equal(readdirSync(paths[0]!).length, 40);
    assert.equal(readFileSync(join(paths[0]!, "part-7", "data.txt"), "utf8"), "row 7");
    assert.deepEqual(readdirSync(join(store.root, "tmp")).filter((n) => n.startsWith("dir-")), []);
  });

  it("names the missing blob when a directory cannot be built", async () => {
    const { store } = fresh();
    const manifest = JSON.stringify({ entries: [{ digest: sha("lost"), path: "lost.txt", size: 4 }] });
    const wire = await store.putBytes(manifest, "manifest.json");
    await assert.rejects(
      store.materializeDir({ $dir: { digest: wire.$file.digest, name: "d" } }),
      rejectsWith("BLOB_MISSING", new RegExp(`${sha("lost")}.*lost\\.txt`)),
    );
  });

  it("refuses manifests whose paths would escape the directory", async () => {
    const { store } = fresh();
    const content = await store.putBytes("x", "x");
    for (const path of ["../evil", "/etc/x", "a/./b", "a//b"]) {
      const bad = await store.putBytes(JSON.stringify({ entries: [{ digest: content.$file.digest, path, size: 1 }] }), "m");
      await assert.rejects(store.materializeDir({ $dir: { digest: bad.$file.digest, name: "d" } }), rejectsWith("MANIFEST_INVALID"));
    }
  });
});
