/**
 * TypeScript's `API` object over aloft's own transport to tsgo. Part of the
 * TypeScript 7 boundary with ts-api.ts: it reaches into the package's
 * internals, which an upgrade checks here.
 */
import { API } from "typescript/unstable/sync";
import type { TsgoConnection, SentRequest } from "./tsgo-connection.ts";
import { questionKey } from "./tsgo-start.ts";

/**
 * The API's synchronous client speaks tsgo's one-request-at-a-time protocol;
 * the same `API` is built here over `TsgoConnection` (tsgo's concurrent
 * protocol) instead, through a piece of the package it does not export: its
 * source-file cache (tsgo-start.ts finds the other, the path to tsgo). Both
 * are in the exactly pinned typescript 7.0.2; an upgrade checks them.
 */
const apiFolder = new URL("../", import.meta.resolve("typescript/unstable/sync"));
const { SourceFileCache } = (await import(new URL("sourceFileCache.js", apiFolder).href)) as { SourceFileCache: new () => object };

/** The members of the API's client that `API` and the objects it makes call. */
interface ApiClient {
  apiRequest(method: string, params?: unknown): unknown;
  apiRequestBinary(method: string, params?: unknown): Uint8Array | undefined;
  getTimingCollector(): undefined;
  close(): void;
}

export function apiOver(connection: TsgoConnection, primed: Map<string, SentRequest>): API {
  const ask = (method: string, params: unknown): unknown => {
    if (primed.size) {
      const key = questionKey(method, params);
      const sent = primed.get(key);
      if (sent) {
        primed.delete(key);
        return connection.receive(sent);
      }
    }
    return connection.request(method, params);
  };
  const client: ApiClient = {
    apiRequest: ask,
    apiRequestBinary: (method, params) => {
      // Binary answers (a source file's syntax tree) come as base64 in JSON.
      const answer = ask(method, params) as { data: string } | undefined;
      if (!answer) return undefined;
      // Its own ArrayBuffer at offset 0: the decoder reads the tree through `.buffer`.
      const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(answer.data, "base64"));
      const length = bytes.write(answer.data, "base64");
      return new Uint8Array(bytes.buffer, 0, length);
    },
    getTimingCollector: () => undefined,
    close: () => connection.close(),
  };
  // What the constructor would set, with our client in place of the one it would spawn.
  return Object.assign(Object.create(API.prototype) as API, {
    client,
    sourceFileCache: new SourceFileCache(),
    initialized: false,
    activeSnapshots: new Set(),
  });
}
