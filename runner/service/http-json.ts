/** JSON in and out of Node's `http`. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./api-error.ts";

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    // Executions change as they run; a cached answer would be a wrong one.
    "cache-control": "no-store",
    ...headers,
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, error.body, error.headers);
}

/** The request's body parsed as JSON; 400 when it is not JSON, 413 past `limit` bytes. */
export async function readJsonBody(request: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, "BODY_TOO_LARGE", `the request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new ApiError(400, "BAD_JSON", `${request.method} ${pathOf(request)} wants a JSON body and got none`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "BAD_JSON", `the body of ${request.method} ${pathOf(request)} is not valid JSON: ${(error as Error).message}`);
  }
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? "/").split("?")[0]!;
}
