// How the simulated API server answers: JSON bodies, and failures as the
// `Status` objects a real API server sends. Every response carries a
// Content-Type, because client-node refuses to parse a body without one.
import type { IncomingMessage, ServerResponse } from "node:http";

/** A failure the API server reports as a `Status` object with an HTTP code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  statusObject(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export const notFound = (resource: string, name: string) =>
  new ApiError(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const invalid = (kind: string, name: string, field: string, problem: string) =>
  new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${field}: ${problem}`, {
    name,
    kind: kind.toLowerCase() + "s",
    causes: [{ reason: "FieldValueInvalid", message: problem, field }],
  });

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.code, error.statusObject(), error.headers);
}

/** Answers a request whose connection is still a raw socket (a refused WebSocket upgrade). */
export function rawErrorResponse(error: ApiError): string {
  const text = JSON.stringify(error.statusObject());
  const headers = [
    `HTTP/1.1 ${error.code} ${error.reason}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(text)}`,
    "Connection: close",
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return headers.join("\r\n") + "\r\n\r\n" + text;
}

const maxBodyBytes = 16 * 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new ApiError(413, "RequestEntityTooLarge", "request body is larger than 16 MiB");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`request body is not valid JSON: ${(error as Error).message}`);
  }
}
