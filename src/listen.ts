import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { BadInputError } from "./errors.ts";

export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Said after "port N on HOST is in use", e.g. how to choose another. */
  hint?: string;
  /**
   * close() also cuts open connections (local test servers, which may hold requests on purpose);
   * otherwise it waits for requests in flight, as the API does on shutdown.
   */
  dropConnections?: boolean;
}

export interface Listening {
  host: string;
  port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
  /** Stops listening; resolves once closed. Calling it again does nothing. */
  close(): Promise<void>;
}

/** The one way this project starts a server: listen, a clear error for a port in use, close. */
export async function listen(server: Server, opts: ListenOptions = {}): Promise<Listening> {
  const host = opts.host ?? "127.0.0.1";
  const requested = opts.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (cause: NodeJS.ErrnoException) =>
      reject(
        cause.code === "EADDRINUSE"
          ? new BadInputError(`port ${requested} on ${host} is in use${opts.hint ? ` (${opts.hint})` : ""}`, {
              cause,
            })
          : cause,
      );
    server.once("error", fail);
    server.listen(requested, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      if (opts.dropConnections) (server as HttpServer).closeAllConnections?.();
    });
  return { host, port, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, close };
}
