// What the kernel says, read and parsed independently of the exporter's own parsers, for
// before/after comparisons in kernel tests.

/** Per device, the 16 /proc/net/dev columns in order. */
export type NetDevTruth = Readonly<Record<string, readonly number[]>>;

export function parseNetDevTruth(text: string): NetDevTruth {
  const out: Record<string, number[]> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.lastIndexOf(':');
    if (colon < 0) continue;
    out[line.slice(0, colon).trim()] = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
  }
  return out;
}

export interface RuleTruth {
  readonly table: string;
  readonly chain: string;
  readonly position: number;
  readonly packets: number;
  readonly bytes: number;
  readonly line: string;
}
export interface PolicyTruth {
  readonly table: string;
  readonly chain: string;
  readonly policy: string;
  readonly packets: number;
  readonly bytes: number;
}

export function parseIptablesSaveTruth(text: string): { rules: RuleTruth[]; policies: PolicyTruth[]; chains: string[] } {
  const rules: RuleTruth[] = [];
  const policies: PolicyTruth[] = [];
  const chains: string[] = [];
  const positions = new Map<string, number>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    const chainLine = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/.exec(line);
    if (chainLine) {
      chains.push(`${table}/${chainLine[1]}`);
      if (chainLine[2] !== '-') {
        policies.push({
          table,
          chain: chainLine[1] as string,
          policy: chainLine[2] as string,
          packets: Number(chainLine[3]),
          bytes: Number(chainLine[4]),
        });
      }
    }
    const ruleLine = /^\[(\d+):(\d+)\] -A (\S+) /.exec(line);
    if (ruleLine) {
      const chain = ruleLine[3] as string;
      const key = `${table}/${chain}`;
      const position = (positions.get(key) ?? 0) + 1;
      positions.set(key, position);
      rules.push({ table, chain, position, packets: Number(ruleLine[1]), bytes: Number(ruleLine[2]), line });
    }
  }
  return { rules, policies, chains };
}
