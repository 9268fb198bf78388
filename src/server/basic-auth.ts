// Checks HTTP basic credentials against the bcrypt hashes of --web.config.file's basic_auth_users.
//
// bcrypt is slow on purpose (cost 10 is about 200 ms in bcryptjs), far too slow for every scrape,
// so a verified user+password is remembered for a while, as exporter-toolkit does. The cache holds
// an HMAC of the credentials under a key made at start, never the password itself. Only successes
// are cached: a client guessing passwords pays a full bcrypt every time, and cannot fill the cache.

import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

export type Verdict = 'allowed' | 'denied' | 'busy';

export interface BasicAuthOptions {
  /** How long a verified user+password is accepted without bcrypt; default 5 minutes. */
  readonly cacheTtlMs?: number;
  /** Most remembered credentials (oldest dropped first); default 100. */
  readonly cacheSize?: number;
  /** bcrypt runs one at a time; when this many wait already, answer 'busy' instead of queueing more. */
  readonly maxWaiting?: number;
}

export class BasicAuthVerifier {
  private readonly cacheTtlMs: number;
  private readonly cacheSize: number;
  private readonly maxWaiting: number;
  private readonly hmacKey = randomBytes(32);
  /** HMAC of the credentials -> expiry time (ms); Map order is insertion order, so the first is the oldest. */
  private readonly verified = new Map<string, number>();
  /** A real hash of the highest configured cost, checked for unknown users so they take as long as known ones. */
  private readonly decoyHash: string;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    options: BasicAuthOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.cacheSize = options.cacheSize ?? 100;
    this.maxWaiting = options.maxWaiting ?? 16;
    const hashes = [...users.values()];
    if (hashes.length === 0) throw new Error('BasicAuthVerifier needs at least one user');
    this.decoyHash = hashes.reduce((highest, hash) => (cost(hash) > cost(highest) ? hash : highest));
  }

  async verify(user: string, password: string, now = Date.now()): Promise<Verdict> {
    const hash = this.users.get(user);
    const cacheKey = this.cacheKey(user, password);
    const expires = this.verified.get(cacheKey);
    if (hash !== undefined && expires !== undefined && expires > now) return 'allowed';
    if (expires !== undefined) this.verified.delete(cacheKey);

    if (this.waiting >= this.maxWaiting) return 'busy';
    // An unknown user still costs one bcrypt of the same cost, so response time does not tell
    // which user names exist. The decoy hash belongs to a real user, but the result is ignored.
    const matches = await this.oneAtATime(() => bcrypt.compare(password, hash ?? this.decoyHash));
    if (hash === undefined || !matches) return 'denied';
    this.remember(cacheKey, Date.now());
    return 'allowed';
  }

  private cacheKey(user: string, password: string): string {
    // Length-prefixed, so no user/password split can collide with another.
    return createHmac('sha256', this.hmacKey)
      .update(`${Buffer.byteLength(user)}:${user}:${password}`)
      .digest('base64');
  }

  private remember(cacheKey: string, now: number): void {
    this.verified.delete(cacheKey);
    while (this.verified.size >= this.cacheSize) {
      const oldest = this.verified.keys().next().value;
      if (oldest === undefined) break;
      this.verified.delete(oldest);
    }
    this.verified.set(cacheKey, now + this.cacheTtlMs);
  }

  // bcryptjs is plain JavaScript on the event loop: two at once only take twice as long each, and a
  // flood of wrong passwords would starve scrapes. One at a time, with a bounded queue.
  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const run = this.queue.then(task, task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => this.waiting--);
  }
}

/** user and password from an `Authorization: Basic <base64(user:password)>` header; undefined when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function cost(hash: string): number {
  return Number(hash.slice(4, 6));
}
