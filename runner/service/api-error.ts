/**
 * A failure a request caused or met, as the client will read it: an HTTP
 * status, a stable code and a message that says what to do.
 */
import { AloftError } from "../../compiler/errors.ts";
import type { ApiErrorCode, ErrorResponse } from "./protocol.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get body(): ErrorResponse {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Store failures keep their code and message (they name the database and say what to do). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AloftError) {
    const busy = error.info.code === "STORE_LOCKED";
    return new ApiError(busy ? 503 : 500, error.info.code, error.message);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(500, "INTERNAL", `internal error of the runner service: ${reason}`);
}
