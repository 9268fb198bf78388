// `ip -j link show` (iproute2 JSON): one object per interface. Extra keys, such as the "stats64" of
// `ip -j -s link show` or a veth's "link_netnsid", are ignored.

import type { LinkRecord } from '../model/records/links.js';
import { parseIproute2JsonArray } from './iproute2-json.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

export function parseIpLinkJson(text: string): ParseResult<LinkRecord[]> {
  const document = parseIproute2JsonArray(text, 'ip -j link', 'interfaces');
  if (!document.ok) return document;
  const records: LinkRecord[] = [];
  for (const [index, element] of document.value.entries()) {
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
  const carrierChanges = carrierChangesOf(link.stats64);
  if (typeof carrierChanges === 'string') return `${name}${carrierChanges}`;
  return {
    ifindex: ifindex as number,
    device: ifname,
    operstate,
    mtu: mtu as number,
    address: address ?? '',
    linkType,
    ...(carrierChanges === undefined ? {} : { carrierChanges }),
  };
}

/** "stats64"."tx"."carrier_changes" (only with -s -s), undefined when absent, a reason when malformed. */
function carrierChangesOf(stats64: unknown): number | undefined | string {
  if (stats64 === undefined) return undefined;
  const tx = typeof stats64 === 'object' && stats64 !== null ? (stats64 as Record<string, unknown>).tx : undefined;
  if (typeof tx !== 'object' || tx === null) return '"stats64" has no "tx" object';
  const changes = (tx as Record<string, unknown>).carrier_changes;
  if (changes === undefined) return undefined;
  if (!Number.isSafeInteger(changes) || (changes as number) < 0) return '"stats64"."tx"."carrier_changes" is not a non-negative integer';
  return changes as number;
}
