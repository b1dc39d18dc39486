import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { AloftError } from "../../compiler/errors.ts";
import { BlobStore } from "./blob-store.ts";
import { ProjectBlobGrants } from "./project-blobs.ts";

const digestOf = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

test("an upload is kept only under the digest its bytes hash to", async () => {
  const root = mkdtempSync(join(tmpdir(), "aloft-blobs-"));
  try {
    const blobs = new BlobStore(root);
    const stored = await blobs.putVerified(Readable.from([Buffer.from("hello "), Buffer.from("world")]), digestOf("hello world"));
    assert.deepEqual(stored, { size: 11, existed: false });
    assert.equal((await blobs.putVerified(Readable.from([Buffer.from("hello world")]), digestOf("hello world"))).existed, true);
    const forged = digestOf("something else");
    await assert.rejects(blobs.putVerified(Readable.from([Buffer.from("hello world")]), forged), (e: unknown) => e instanceof AloftError && e.info.code === "DIGEST_MISMATCH");
    assert.equal(blobs.has(forged), false);
    await assert.rejects(blobs.putVerified(Readable.from([Buffer.alloc(100)]), digestOf("x"), 10), (e: unknown) => e instanceof AloftError && e.info.code === "BLOB_TOO_LARGE");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a project reads only the blobs granted to it", async () => {
  const root = mkdtempSync(join(tmpdir(), "aloft-grants-"));
  try {
    const grants = new ProjectBlobGrants(root);
    const d = digestOf("data");
    assert.equal(grants.allows("fraud", d), false);
    await grants.grant("fraud", [d, d]);
    assert.equal(grants.allows("fraud", d), true);
    assert.equal(grants.allows("ads", d), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
