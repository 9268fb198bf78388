// Ground truth for the native parsers, read from the tools' own output: `iptables-save -c` text and
// `ip -j link` JSON turned into the same model. Deliberately small and independent of the exec
// backend's parsers (the tests compare against src/parsers/iptables-save.ts as well).

import type { IptablesChain, IptablesRule, IptablesTable } from '../../src/model/records/iptables.js';
import type { LinkRecord } from '../../src/model/records/links.js';

/** Splits an iptables-save rule line into words; "quoted words" use \" and \\ escapes. */
function words(line: string): string[] {
  const result: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        word += line.charAt(i);
        i++;
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') word += line.charAt(i++);
    }
    result.push(word);
  }
  return result;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ChainDraft = Mutable<IptablesChain> & { rules: IptablesRule[] };
type TableDraft = IptablesTable & { chains: ChainDraft[] };

export function iptablesSaveModel(text: string): IptablesTable[] {
  const tables: TableDraft[] = [];
  let chains = new Map<string, ChainDraft>();
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      chains = new Map();
      tables.push({ name: line.slice(1), chains: [] });
    } else if (line.startsWith(':')) {
      const match = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/.exec(line);
      if (!match) throw new Error(`chain line: ${line}`);
      const [, name = '', policy = '', packets = '0', bytes = '0'] = match;
      const chain: ChainDraft = {
        name,
        builtin: policy !== '-',
        policy: policy === '-' ? '' : policy,
        policyPackets: Number(packets),
        policyBytes: Number(bytes),
        rules: [],
      };
      chains.set(name, chain);
      tables.at(-1)?.chains.push(chain);
    } else if (line.startsWith('[')) {
      const match = /^\[(\d+):(\d+)\] -A (\S+) ?(.*)$/.exec(line);
      if (!match) throw new Error(`rule line: ${line}`);
      const [, packets = '0', bytes = '0', chainName = '', rest = ''] = match;
      const args = words(rest);
      let target = '';
      let goto = false;
      const comments: string[] = [];
      args.forEach((word, index) => {
        if (word === '-j' || word === '-g') {
          target = args[index + 1] ?? '';
          goto = word === '-g';
        }
        if (word === '--comment' && args[index - 2] === '-m' && args[index - 1] === 'comment') comments.push(args[index + 1] ?? '');
      });
      const chain = chains.get(chainName);
      if (!chain) throw new Error(`rule for undeclared chain: ${line}`);
      chain.rules.push({
        position: chain.rules.length + 1,
        packets: Number(packets),
        bytes: Number(bytes),
        target,
        goto,
        comment: comments.join(' '),
      });
    }
  }
  return tables;
}

interface IpLinkJson {
  ifindex: number;
  ifname: string;
  operstate?: string;
  mtu: number;
  address?: string;
  link_type: string;
  stats64?: { tx?: { carrier_changes?: number } };
}

export function ipLinkModel(json: string): LinkRecord[] {
  return (JSON.parse(json) as IpLinkJson[]).map((link) => ({
    ifindex: link.ifindex,
    device: link.ifname,
    operstate: link.operstate ?? 'UNKNOWN',
    mtu: link.mtu,
    address: link.address ?? '',
    linkType: link.link_type,
    carrierChanges: link.stats64?.tx?.carrier_changes,
  }));
}

/** The model without where counters sat in the bytes (the text parser has no such offsets). */
export function withoutOffsets(tables: readonly IptablesTable[]): IptablesTable[] {
  return tables.map((table) => ({
    name: table.name,
    chains: table.chains.map(({ policyCountersAt: _policyAt, ...chain }) => ({
      ...chain,
      rules: chain.rules.map(({ countersAt: _at, ...rule }) => rule),
    })),
  }));
}
