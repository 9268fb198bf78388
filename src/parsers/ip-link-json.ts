// `ip -j link show` (iproute2 JSON): one object per interface. Extra keys, such as the "stats64" of
// `ip -j -s link show` or a veth's "link_netnsid", are ignored.

import { parsed, parseFailure, type ParseResult } from './parse-result.js';

/** The attributes of one interface that the exporter reports besides its counters. */
export interface LinkRecord {
  readonly ifindex: number;
  /** "ifname": as the kernel holds it, quotes, '$', backslashes, UTF-8 and control characters included. */
  readonly device: string;
  /** "operstate": UP, DOWN, UNKNOWN (loopback, tun), LOWERLAYERDOWN, ... */
  readonly operstate: string;
  readonly mtu: number;
  /** "address": the link-layer address; '' when the link has none (link_type none, e.g. tun). */
  readonly address: string;
  /** "link_type": ether, loopback, none, ... */
  readonly linkType: string;
}

// iproute2's JSON writer escapes '"' and '\' in names but prints other control bytes raw, and the
// kernel accepts any byte but '/', ':' and whitespace in a name: `ip link add name $'a\x01b'` yields
// "ifname":"a<U+0001>b", which JSON.parse rejects. Outside strings JSON allows no control characters
// except tab, newline and carriage return, so escaping all others changes nothing but those names.
const RAW_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function parseIpLinkJson(text: string): ParseResult<LinkRecord[]> {
  const escaped = text.replace(RAW_CONTROL_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  let document: unknown;
  try {
    document = JSON.parse(escaped);
  } catch (error) {
    return parseFailure(`ip -j link: line ${lineAtJsonError(escaped, error)}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(document)) return parseFailure('ip -j link: line 1: expected a JSON array of interfaces');

  const records: LinkRecord[] = [];
  for (const [index, element] of document.entries()) {
    const record = toLinkRecord(element);
    if (typeof record === 'string') return parseFailure(`ip -j link: interface #${index + 1}: ${record}`);
    records.push(record);
  }
  return parsed(records);
}

function toLinkRecord(element: unknown): LinkRecord | string {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return 'not a JSON object';
  const link = element as Record<string, unknown>;
  const { ifindex, ifname, operstate, mtu, address, link_type: linkType } = link;
  const name = typeof ifname === 'string' ? `(${JSON.stringify(ifname)}) ` : '';
  if (typeof ifname !== 'string' || ifname === '') return `${name}"ifname" missing or not a non-empty string`;
  if (!Number.isSafeInteger(ifindex) || (ifindex as number) <= 0) return `${name}"ifindex" missing or not a positive integer`;
  if (!Number.isSafeInteger(mtu) || (mtu as number) < 0) return `${name}"mtu" missing or not a non-negative integer`;
  if (typeof operstate !== 'string') return `${name}"operstate" missing or not a string`;
  if (typeof linkType !== 'string') return `${name}"link_type" missing or not a string`;
  if (address !== undefined && typeof address !== 'string') return `${name}"address" is not a string`;
  return {
    ifindex: ifindex as number,
    device: ifname,
    operstate,
    mtu: mtu as number,
    address: address ?? '',
    linkType,
  };
}

// V8 reports "... at position N" (sometimes with line and column); turn the position into a line number.
function lineAtJsonError(text: string, error: unknown): number {
  const position = /position (\d+)/.exec(String((error as Error).message));
  if (position === null) return 1;
  const offset = Math.min(Number(position[1]), text.length);
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
