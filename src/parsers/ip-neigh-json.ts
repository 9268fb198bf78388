// `ip -j neigh show nud all` (iproute2 JSON) -> counts per device, family and state (see
// neighbour-counts.ts for what is counted and why). `nud all` is needed: without it iproute2 shows
// neither NOARP entries nor NUD_NONE ones (ip/ipneigh.c, do_show_or_flush: 0xFF & ~NUD_NOARP).
//
// One object per entry: {"dst":"10.9.0.2","dev":"qg-1","lladdr":"..","state":["REACHABLE"]}. "state"
// lists the NUD bits in bit order and is absent for NUD_NONE; the family is not printed, so it is the
// destination's: IPv6 addresses contain ':', IPv4 ones never do.

import { isIP } from 'node:net';
import type { NeighbourCount } from '../model/records/neighbours.js';
import { parseIproute2JsonArray } from './iproute2-json.js';
import { NeighbourCounter, NUD_STATES } from './neighbour-counts.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const STATE_NAMES = new Set(NUD_STATES.map(([, name]) => name));

export function parseIpNeighJson(text: string): ParseResult<NeighbourCount[]> {
  const document = parseIproute2JsonArray(text, 'ip -j neigh', 'neighbours');
  if (!document.ok) return document;
  const counter = new NeighbourCounter();
  for (const [index, element] of document.value.entries()) {
    const problem = countEntry(element, counter);
    if (problem !== undefined) return parseFailure(`ip -j neigh: neighbour #${index + 1}: ${problem}`);
  }
  return parsed(counter.result());
}

function countEntry(element: unknown, counter: NeighbourCounter): string | undefined {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) return 'not a JSON object';
  const entry = element as Record<string, unknown>;
  const { dst, dev, state } = entry;
  if ('proxy' in entry) return undefined; // only with `ip neigh show proxy`; not cache entries
  if (typeof dst !== 'string') return '"dst" missing or not a string';
  const version = isIP(dst);
  if (version === 0) return `"dst" ${JSON.stringify(dst.slice(0, 60))} is not an IP address`;
  if (typeof dev !== 'string' || dev === '') return `(${dst}) "dev" missing or not a non-empty string`;
  let name: string;
  if (state === undefined) {
    name = 'none';
  } else {
    if (!Array.isArray(state) || state.length === 0 || !state.every((bit) => typeof bit === 'string')) {
      return `(${dst}) "state" is not a non-empty array of strings`;
    }
    const names = state.map((bit) => bit.toLowerCase());
    // names iproute2 knows, or the hex of bits it does not (print_neigh_state's "%02x")
    const unknown = names.find((bit) => !STATE_NAMES.has(bit) && !/^(0x)?[0-9a-f]+$/.test(bit));
    if (unknown !== undefined) return `(${dst}) unknown state ${JSON.stringify(unknown)}`;
    name = names.map((bit) => (STATE_NAMES.has(bit) || bit.startsWith('0x') ? bit : `0x${bit}`)).join(',');
  }
  counter.add(dev, version === 6 ? 'ipv6' : 'ipv4', name);
  return undefined;
}
