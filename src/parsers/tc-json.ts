// What the exec backend's tc script prints (sources/tc.ts): `tc -s -j qdisc show` on the first line,
// then for each device with an ingress or clsact qdisc a line `ingress-filters <device>` and the
// line `tc -s -j filter show dev <device> ingress` printed. Device names hold no whitespace (the
// kernel refuses it), so each part is one line; iproute2's JSON writer escapes newlines in strings.
//
// Qdiscs: {"kind":"htb","handle":"1:","dev":"qg-x","root":true,...,"bytes":888,"packets":9,"drops":0,
// "overlimits":0,"requeues":0,"backlog":0,"qlen":0} (tc/tc_qdisc.c, print_qdisc; tc_util.c,
// print_tcstats2_attr). Filters: one object per filter node; those with actions carry them as
// options.actions[] = {"order":1,"kind":"mirred",...,"stats":{"bytes":..,"packets":..,"drops":..,
// "overlimits":..}} (tc/m_action.c, tc_print_action); the handle is options.fh for u32 and
// options.handle for the other classifiers.

import type { QdiscRecord, TcActionRecord, TcTable } from '../model/records/tc.js';
import { parseIproute2JsonArray } from './iproute2-json.js';
import { parsed, parseFailure, type ParseResult } from './parse-result.js';

const FILTERS_LINE = /^ingress-filters (\S+)$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(object: JsonObject, key: string): number | string {
  const value = object[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : `"${key}" missing or not a count`;
}

export function parseTcScriptOutput(text: string): ParseResult<TcTable> {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return parseFailure('tc: no output (expected the qdisc list)');
  const qdiscs = parseQdiscJson(lines[0] as string);
  if (!qdiscs.ok) return qdiscs;
  const actions: TcActionRecord[] = [];
  for (let i = 1; i < lines.length; i += 2) {
    const header = FILTERS_LINE.exec(lines[i] as string);
    if (header === null) return parseFailure(`tc: line ${i + 1}: expected "ingress-filters <device>"`);
    const json = lines[i + 1];
    if (json === undefined) return parseFailure(`tc: line ${i + 2}: the filters of ${header[1] as string} are missing (truncated)`);
    const filters = parseFilterJson(json, header[1] as string, `tc filter (line ${i + 2})`);
    if (!filters.ok) return filters;
    actions.push(...filters.value);
  }
  return parsed({ qdiscs: qdiscs.value, actions });
}

/** `tc -s -j qdisc show`. */
export function parseQdiscJson(text: string): ParseResult<QdiscRecord[]> {
  const document = parseIproute2JsonArray(text, 'tc -s -j qdisc', 'qdiscs');
  if (!document.ok) return document;
  const records: QdiscRecord[] = [];
  for (const [index, element] of document.value.entries()) {
    const record = qdiscOf(element);
    if (typeof record === 'string') return parseFailure(`tc -s -j qdisc: qdisc #${index + 1}: ${record}`);
    records.push(record);
  }
  return parsed(records);
}

function qdiscOf(element: unknown): QdiscRecord | string {
  if (!isObject(element)) return 'not a JSON object';
  const { kind, handle, dev, root, parent } = element;
  if (typeof kind !== 'string' || kind === '') return '"kind" missing or not a string';
  if (typeof handle !== 'string' || !/^[0-9a-f]+:$/.test(handle)) return `(${kind}) "handle" missing or not as tc prints it`;
  if (typeof dev !== 'string' || dev === '') return `(${kind} ${handle}) "dev" missing or not a string`;
  let parentText = '';
  if (root === true) parentText = 'root';
  else if (typeof parent === 'string') parentText = parent;
  else if (parent !== undefined) return `(${kind} ${handle} on ${dev}) "parent" not a string`;
  const numbers: number[] = [];
  for (const key of ['bytes', 'packets', 'drops', 'requeues', 'overlimits', 'backlog', 'qlen']) {
    const value = count(element, key);
    // without -s tc prints no counters: a reading without them is not a reading of zeros
    if (typeof value === 'string') return `(${kind} ${handle} on ${dev}) ${value}`;
    numbers.push(value);
  }
  const [bytes, packets, drops, requeues, overlimits, backlog, qlen] = numbers as [number, number, number, number, number, number, number];
  return { device: dev, kind, handle, parent: parentText, bytes, packets, drops, requeues, overlimits, backlog, qlen };
}

/** `tc -s -j filter show dev <device> ingress`: the actions of its filters. */
export function parseFilterJson(text: string, device: string, command = 'tc -s -j filter'): ParseResult<TcActionRecord[]> {
  const document = parseIproute2JsonArray(text, command, 'filters');
  if (!document.ok) return document;
  const records: TcActionRecord[] = [];
  for (const [index, element] of document.value.entries()) {
    const problem = actionsOf(element, device, records);
    if (problem !== undefined) return parseFailure(`${command}: filter #${index + 1} on ${device}: ${problem}`);
  }
  return parsed(records);
}

function actionsOf(element: unknown, device: string, out: TcActionRecord[]): string | undefined {
  if (!isObject(element)) return 'not a JSON object';
  const { options } = element;
  if (!isObject(options) || options.actions === undefined) return undefined; // a hash table or a filter without actions
  const { kind, pref, parent } = element;
  if (typeof kind !== 'string' || kind === '') return '"kind" missing or not a string';
  if (typeof pref !== 'number' || !Number.isInteger(pref)) return `(${kind}) "pref" missing or not a number`;
  // tc leaves the parent out when it equals the one asked for (ffff:fff2), which no kernel answers today
  const parentText = typeof parent === 'string' ? parent : 'ffff:fff2';
  const handle = kind === 'u32' ? options.fh : options.handle;
  if (typeof handle !== 'string' || handle === '') return `(${kind} pref ${pref}) the filter handle is missing`;
  if (!Array.isArray(options.actions)) return `(${kind} pref ${pref}) "actions" is not an array`;
  for (const action of options.actions as unknown[]) {
    if (!isObject(action)) return `(${kind} pref ${pref}) an action is not a JSON object`;
    const { order, kind: actionKind, stats } = action;
    if (typeof actionKind !== 'string' || actionKind === '') return `(${kind} pref ${pref}) an action without "kind"`;
    if (typeof order !== 'number' || !Number.isInteger(order)) return `(${kind} pref ${pref}) action ${actionKind} without "order"`;
    if (!isObject(stats)) return `(${kind} pref ${pref}) action ${actionKind} without "stats" (was tc run without -s?)`;
    const numbers: number[] = [];
    for (const key of ['bytes', 'packets', 'drops', 'overlimits']) {
      const value = count(stats, key);
      if (typeof value === 'string') return `(${kind} pref ${pref}) action ${actionKind}: ${value}`;
      numbers.push(value);
    }
    const [bytes, packets, drops, overlimits] = numbers as [number, number, number, number];
    out.push({ device, parent: parentText, pref, filterKind: kind, handle, action: actionKind, order, bytes, packets, drops, overlimits });
  }
  return undefined;
}
