/**
 * A failed Kubernetes API call, read into the few facts that decide what to
 * do next: the HTTP status, the Status reason (AlreadyExists, Conflict, ...),
 * Retry-After, and whether the connection itself failed. client-node throws
 * `ApiException` from its generated API, plain errors with `statusCode` from
 * `Watch`, and node-fetch's `FetchError` when the connection fails.
 */

export interface ApiFailure {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The `reason` of the Status object the server sent. */
  reason?: string;
  message: string;
  /** From Retry-After (seconds) or the Status details' retryAfterSeconds. */
  retryAfterMs?: number;
  /** The request never got an answer: refused, reset, timed out, DNS. */
  connection: boolean;
  /** The caller aborted the request. */
  aborted: boolean;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function describeApiFailure(error: unknown): ApiFailure {
  if (!(error instanceof Error)) return { message: String(error), connection: false, aborted: false };
  const fields = error as Error & { code?: unknown; statusCode?: unknown; body?: unknown; headers?: unknown; type?: unknown; errno?: unknown };
  if (error.name === "AbortError" || fields.type === "aborted") return { message: error.message, connection: false, aborted: true };
  const status = typeof fields.code === "number" ? fields.code : typeof fields.statusCode === "number" ? fields.statusCode : undefined;
  if (status === undefined) {
    const code = typeof fields.code === "string" ? fields.code : typeof fields.errno === "string" ? fields.errno : undefined;
    const connection = (code !== undefined && CONNECTION_CODES.has(code)) || fields.type === "system" || /socket hang up|premature close/i.test(error.message);
    return { message: error.message, connection, aborted: false };
  }
  const body = statusBody(fields.body);
  const retryAfterMs = retryAfter(fields.headers, body);
  return {
    status,
    ...(body?.reason ? { reason: body.reason } : {}),
    message: body?.message ?? firstLine(error.message),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    connection: false,
    aborted: false,
  };
}

interface StatusBody {
  reason?: string;
  message?: string;
  details?: { retryAfterSeconds?: number };
}

function statusBody(body: unknown): StatusBody | undefined {
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const details = typeof record.details === "object" && record.details !== null ? (record.details as Record<string, unknown>) : undefined;
  return {
    ...(typeof record.reason === "string" ? { reason: record.reason } : {}),
    ...(typeof record.message === "string" ? { message: record.message } : {}),
    ...(typeof details?.retryAfterSeconds === "number" ? { details: { retryAfterSeconds: details.retryAfterSeconds } } : {}),
  };
}

function retryAfter(headers: unknown, body: StatusBody | undefined): number | undefined {
  const header = headerValue(headers, "retry-after");
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const seconds = body?.details?.retryAfterSeconds;
  return seconds !== undefined && seconds >= 0 ? seconds * 1000 : undefined;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

/** One line for people: "409 AlreadyExists: pods \"x\" already exists", "connection failed: ECONNRESET". */
export function failureText(failure: ApiFailure): string {
  if (failure.status === undefined) return failure.connection ? `connection failed: ${failure.message}` : failure.message;
  return `${failure.status}${failure.reason ? ` ${failure.reason}` : ""}: ${failure.message}`;
}
