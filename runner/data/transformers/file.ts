/**
 * A `File` travels as `{ $file: { digest, name, size } }`: the bytes go to
 * the blob store, and the receiving side reads them from its local copy.
 */
import { stat } from "node:fs/promises";
import { File } from "../../../sdk/file.ts";
import { isDigest } from "../../blobs/digest.ts";
import type { DataTransformer } from "../transformer.ts";
import { isWireFile, type WireFile } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

export const fileTransformer: DataTransformer = {
  name: "file",
  kinds: ["file"],

  acceptsValue(value) {
    return value instanceof File;
  },

  async encode(value, field, scope) {
    const file = value as File;
    const info = await stat(file.path).catch(() => undefined);
    if (!info) throw scope.invalid(field, `is a File whose path ${file.path} does not exist`);
    if (!info.isFile()) {
      const what = info.isDirectory() ? "a directory (use Dir for directories)" : "not a regular file";
      throw scope.invalid(field, `is a File whose path ${file.path} is ${what}`);
    }
    return scope.context.blobs.putFile(file.path, file.name);
  },

  acceptsWire: isWireFile,

  async decode(wire, _field, scope) {
    const { digest, name } = (wire as WireFile).$file;
    return new File(scope.context.blobs.requirePath(digest), name);
  },

  validate(wire, spec, field) {
    if (!isWireFile(wire)) return [mismatch(field, spec, wire)];
    const { digest, name, size } = wire.$file ?? {};
    const ok = isDigest(digest) && typeof name === "string" && Number.isSafeInteger(size) && size >= 0;
    return ok ? [] : [`${field}: a File reference needs a sha256 digest, a name and a size`];
  },
};
