/**
 * The protocol owns stdout. A stray `console.log` or `process.stdout.write`
 * (of aloft or of a library) would corrupt the message stream, so once the
 * server starts, the protocol writes through a private handle and anything
 * else written to stdout goes to stderr; `console` goes to the client's log.
 */
import { Writable } from "node:stream";
import { format } from "node:util";
import type { RemoteConsole } from "vscode-languageserver/node.js";

/** A stream to stdout for the protocol alone. */
export function takeStdout(): Writable {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout);
  const protocol = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      write(chunk, callback);
    },
  });
  stdout.on("error", (error) => protocol.destroy(error));
  stdout.on("close", () => protocol.destroy());
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return protocol;
}

export function consoleToClient(remote: RemoteConsole): void {
  console.log = console.info = (...args: unknown[]) => remote.log(format(...args));
  console.debug = (...args: unknown[]) => remote.log(format(...args));
  console.warn = (...args: unknown[]) => remote.warn(format(...args));
  console.error = (...args: unknown[]) => remote.error(format(...args));
}
