import { createHash } from "node:crypto";
import type { ImageSpec } from "./types.ts";

export interface ImageInput {
  base?: string;
  packages?: readonly string[];
  apt?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export const DEFAULT_BASE_IMAGE = "node:20-slim";

/**
 * A container image described by what goes in it. Its name is a hash of the
 * normalised spec, so equal specs share one image and a change makes a new one.
 */
export function Image(input: ImageInput = {}): ImageSpec {
  const spec = {
    base: input.base ?? DEFAULT_BASE_IMAGE,
    packages: [...(input.packages ?? [])].sort(),
    apt: [...(input.apt ?? [])].sort(),
    env: Object.fromEntries(Object.entries(input.env ?? {}).sort(([a], [b]) => a.localeCompare(b))),
  };
  const digest = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
  return Object.freeze({ ...spec, name: `aloft-${digest}` });
}
