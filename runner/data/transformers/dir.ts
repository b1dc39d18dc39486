/**
 * A `Dir` travels as `{ $dir: { digest, name } }`, the digest naming its
 * manifest blob. Decoding materializes the tree once per machine and shares
 * it, read-only, between every task that receives it.
 */
import { stat } from "node:fs/promises";
import { Dir } from "../../../sdk/file.ts";
import { isDigest } from "../../blobs/digest.ts";
import type { DataTransformer } from "../transformer.ts";
import { isWireDir, type WireDir } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

export const dirTransformer: DataTransformer = {
  name: "dir",
  kinds: ["dir"],

  acceptsValue(value) {
    return value instanceof Dir;
  },

  async encode(value, field, scope) {
    const dir = value as Dir;
    const info = await stat(dir.path).catch(() => undefined);
    if (!info) throw scope.invalid(field, `is a Dir whose path ${dir.path} does not exist`);
    if (!info.isDirectory()) throw scope.invalid(field, `is a Dir whose path ${dir.path} is not a directory (use File for files)`);
    return scope.context.blobs.putDir(dir.path, dir.name);
  },

  acceptsWire: isWireDir,

  async decode(wire, _field, scope) {
    const { name } = (wire as WireDir).$dir;
    const dir = new Dir(await scope.context.blobs.materializeDir(wire as WireDir));
    // The shared tree is named by its digest; the task still sees the name the
    // directory was sent with (and passes it on if it returns this Dir).
    if (dir.name !== name) Object.defineProperty(dir, "name", { value: name, enumerable: true });
    return dir;
  },

  validate(wire, spec, field) {
    if (!isWireDir(wire)) return [mismatch(field, spec, wire)];
    const { digest, name } = wire.$dir ?? {};
    return isDigest(digest) && typeof name === "string" ? [] : [`${field}: a Dir reference needs a sha256 digest and a name`];
  },
};
