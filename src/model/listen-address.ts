// --web.listen-address in Go's host:port form: ":9724" (all addresses), "127.0.0.1:9724", "[::1]:9724".

export interface ListenAddress {
  /** undefined listens on every address, as Go's ":port" does. */
  readonly host: string | undefined;
  readonly port: number;
}

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65535) return undefined;
  const host = match[1] ?? (match[2] === '' ? undefined : match[2]);
  return { host, port };
}
