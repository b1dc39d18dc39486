/**
 * The aloft SDK: what user code imports as `aloft`.
 */
export { task, workflow, dynamic, map, fixed, definitionOf } from "./entity.ts";
export type { Task, Workflow, Dynamic, MapTask, MapInputs, Fixed, EntityDefinition, EntityKind } from "./entity.ts";
export { File, Dir } from "./file.ts";
export { Image, DEFAULT_BASE_IMAGE } from "./image.ts";
export type { ImageInput } from "./image.ts";
export type {
  Data,
  Inputs,
  Output,
  Wired,
  WiredInputs,
  Settled,
  TaskOptions,
  MapOptions,
  CacheOptions,
  Resources,
  ReuseOptions,
  ImageSpec,
} from "./types.ts";
