// Legacy x_tables blobs (getsockopt IPT_SO_GET_INFO/IPT_SO_GET_ENTRIES and the IP6T_ twins, framed by
// the native reader) -> the iptables model, as iptables-legacy-save shows it. The walk follows
// libiptc (libiptc/libiptc.c): a user chain starts with an ERROR entry naming it; every chain ends
// with a footer entry (the policy of a built-in chain, RETURN for a user chain) that is not a rule;
// a standard target's verdict is either a negative verdict code or the byte offset of a jump target;
// a jump to the very next entry is a rule without -j. The last entry is the ERROR entry "ERROR".
//
// Framing (host byte order, written by native/src/requests.c): a 32-byte header
//   magic "XTB1", family (4|6), sizeof(entry), offsetof(ip.flags), offsetof(target_offset),
//   offsetof(next_offset), offsetof(counters), the goto flag bit
// then per table: u32 name length, name, u32 info length, struct ipt_getinfo, u32 size, the entries.
// The struct layout travels with the bytes, so the parser does not assume this machine's ABI.

import type { CounterOffsets, IptablesChain, IptablesRule, IptablesTable } from '../../model/records/iptables.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import { compareChainNames, HOOK_CHAIN_NAMES } from './iptables-model.js';
import { cString, neverThrow, readHostI32, readHostU16, readHostU32, readHostU64 } from './netlink-messages.js';

const MAGIC = 0x31425458;
const HEADER_LEN = 32;
const GETINFO_VALID_HOOKS = 32;
const GETINFO_HOOK_ENTRY = 36;
const GETINFO_SIZE = 80;
const GETINFO_LEN = 84;
/** struct xt_entry_match / xt_entry_target: u16 size, char name[29], u8 revision, then data. */
const EXTENSION_HEADER_LEN = 32;
const EXTENSION_NAME_LEN = 29;
const ERROR_TARGET = 'ERROR';
const STANDARD_TARGET = '';
const COMMENT_MATCH = 'comment';

/** Standard verdicts as stored: -(code) - 1 (include/uapi/linux/netfilter/x_tables.h, XT_RETURN). */
const STANDARD_VERDICTS = new Map<number, string>([
  [-1, 'DROP'],
  [-2, 'ACCEPT'],
  [-4, 'QUEUE'],
  [-5, 'RETURN'],
]);

interface Layout {
  readonly entrySize: number;
  readonly flagsOffset: number;
  readonly targetOffsetOffset: number;
  readonly nextOffsetOffset: number;
  readonly countersOffset: number;
  readonly gotoFlag: number;
}

interface Entry {
  readonly offset: number;
  readonly next: number;
  readonly packets: number;
  readonly bytes: number;
  /** Where packets and bytes lie in the whole result (not just this table's blob). */
  readonly countersAt: CounterOffsets;
  readonly flags: number;
  readonly targetName: string;
  /** Where the target's data lies in the table blob. */
  readonly targetDataStart: number;
  readonly targetDataEnd: number;
  /** Every comment match's text, joined with ' ' as the text parser joins several `--comment`s. */
  readonly comment: string;
}

interface ChainDraft {
  readonly name: string;
  readonly builtin: boolean;
  readonly entries: Entry[];
}

function extensionName(blob: Buffer, offset: number): string {
  return cString(blob, offset + 2, offset + 2 + EXTENSION_NAME_LEN);
}

/** `base`: where `blob` starts in the whole result, so that counter offsets point into the result. */
function readEntries(blob: Buffer, base: number, layout: Layout): ParseResult<Entry[]> {
  const entries: Entry[] = [];
  for (let offset = 0; offset < blob.length;) {
    if (blob.length - offset < layout.entrySize) return parseFailure(`x_tables: truncated entry at offset ${offset}`);
    const targetOffset = readHostU16(blob, offset + layout.targetOffsetOffset);
    const next = readHostU16(blob, offset + layout.nextOffsetOffset);
    if (targetOffset < layout.entrySize || targetOffset + EXTENSION_HEADER_LEN > next || offset + next > blob.length) {
      return parseFailure(`x_tables: entry at offset ${offset} has target_offset ${targetOffset}, next_offset ${next}`);
    }
    const comments: string[] = [];
    for (let match = offset + layout.entrySize; match < offset + targetOffset;) {
      const size = readHostU16(blob, match);
      if (size < EXTENSION_HEADER_LEN || match + size > offset + targetOffset) {
        return parseFailure(`x_tables: match of size ${size} at offset ${match}`);
      }
      if (extensionName(blob, match) === COMMENT_MATCH) {
        comments.push(cString(blob, match + EXTENSION_HEADER_LEN, match + size));
      }
      match += size;
    }
    const target = offset + targetOffset;
    const targetSize = readHostU16(blob, target);
    if (targetSize < EXTENSION_HEADER_LEN || target + targetSize > offset + next) {
      return parseFailure(`x_tables: target of size ${targetSize} at offset ${target}`);
    }
    entries.push({
      offset,
      next,
      packets: readHostU64(blob, offset + layout.countersOffset),
      bytes: readHostU64(blob, offset + layout.countersOffset + 8),
      countersAt: { packets: base + offset + layout.countersOffset, bytes: base + offset + layout.countersOffset + 8 },
      flags: blob[offset + layout.flagsOffset] as number,
      targetName: extensionName(blob, target),
      targetDataStart: target + EXTENSION_HEADER_LEN,
      targetDataEnd: target + targetSize,
      comment: comments.join(' '),
    });
    offset += next;
  }
  return parsed(entries);
}

/** A standard target's verdict, or undefined when its data is too short to hold one. */
function standardVerdict(blob: Buffer, entry: Entry): number | undefined {
  return entry.targetDataEnd - entry.targetDataStart >= 4 ? readHostI32(blob, entry.targetDataStart) : undefined;
}

function parseTable(name: string, info: Buffer, blob: Buffer, base: number, layout: Layout): ParseResult<IptablesTable> {
  const entries = readEntries(blob, base, layout);
  if (!entries.ok) return entries;
  const validHooks = readHostU32(info, GETINFO_VALID_HOOKS);
  const hookStarts = new Map<number, string>();
  HOOK_CHAIN_NAMES.forEach((chainName, hook) => {
    if (validHooks & (1 << hook)) hookStarts.set(readHostU32(info, GETINFO_HOOK_ENTRY + 4 * hook), chainName);
  });

  const drafts: ChainDraft[] = [];
  /** Offsets a standard target may jump to: a user chain's ERROR entry or the entry after it. */
  const chainAtOffset = new Map<number, string>();
  let current: ChainDraft | undefined;
  entries.value.forEach((entry, index) => {
    const hookChain = hookStarts.get(entry.offset);
    if (hookChain !== undefined) {
      current = { name: hookChain, builtin: true, entries: [] };
      drafts.push(current);
    }
    if (entry.targetName === ERROR_TARGET) {
      current = undefined;
      if (index === entries.value.length - 1) return; // the table's end marker
      const chainName = cString(blob, entry.targetDataStart, entry.targetDataEnd);
      current = { name: chainName, builtin: false, entries: [] };
      drafts.push(current);
      chainAtOffset.set(entry.offset, chainName);
      chainAtOffset.set(entry.offset + entry.next, chainName);
      return;
    }
    current?.entries.push(entry);
  });

  const builtins: IptablesChain[] = [];
  const userChains: IptablesChain[] = [];
  for (const draft of drafts) {
    const footer = draft.entries.pop();
    if (footer === undefined) return parseFailure(`x_tables: ${name}/${draft.name} has no policy entry`);
    const rules: IptablesRule[] = [];
    for (const entry of draft.entries) {
      const target = ruleTarget(blob, entry, chainAtOffset, layout);
      if (!target.ok) return parseFailure(`x_tables: ${name}/${draft.name}: ${target.error.detail}`);
      rules.push({
        position: rules.length + 1,
        packets: entry.packets,
        bytes: entry.bytes,
        ...target.value,
        comment: entry.comment,
        countersAt: entry.countersAt,
      });
    }
    if (draft.builtin) {
      const verdict = footer.targetName === STANDARD_TARGET ? standardVerdict(blob, footer) : undefined;
      const policy = verdict === undefined ? undefined : STANDARD_VERDICTS.get(verdict);
      builtins.push({
        name: draft.name,
        builtin: true,
        policy: policy ?? '',
        policyPackets: footer.packets,
        policyBytes: footer.bytes,
        rules,
        policyCountersAt: footer.countersAt,
      });
    } else {
      userChains.push({ name: draft.name, builtin: false, policy: '', policyPackets: 0, policyBytes: 0, rules });
    }
  }
  userChains.sort((a, b) => compareChainNames(a.name, b.name));
  return parsed({ name, chains: [...builtins, ...userChains] });
}

function ruleTarget(
  blob: Buffer,
  entry: Entry,
  chainAtOffset: ReadonlyMap<number, string>,
  layout: Layout,
): ParseResult<{ target: string; goto: boolean }> {
  if (entry.targetName !== STANDARD_TARGET) return parsed({ target: entry.targetName, goto: false });
  const verdict = standardVerdict(blob, entry);
  if (verdict === undefined) return parseFailure(`standard target without a verdict at offset ${entry.offset}`);
  if (verdict < 0) {
    const name = STANDARD_VERDICTS.get(verdict);
    return name === undefined
      ? parseFailure(`unknown verdict ${verdict} at offset ${entry.offset}`)
      : parsed({ target: name, goto: false });
  }
  if (verdict === entry.offset + entry.next) return parsed({ target: '', goto: false }); // falls through: no -j
  const chain = chainAtOffset.get(verdict);
  if (chain === undefined) return parseFailure(`jump to offset ${verdict} that starts no chain (entry at ${entry.offset})`);
  return parsed({ target: chain, goto: (entry.flags & layout.gotoFlag) !== 0 });
}

/** Parses the native reader's x_tables result for one family: every listed table, in listing order. */
export function parseXtablesEntries(data: Buffer): ParseResult<IptablesTable[]> {
  return neverThrow('x_tables', () => parseEntries(data));
}

function parseEntries(data: Buffer): ParseResult<IptablesTable[]> {
  if (data.length < HEADER_LEN || readHostU32(data, 0) !== MAGIC) return parseFailure('x_tables: missing XTB1 header');
  const layout: Layout = {
    entrySize: readHostU32(data, 8),
    flagsOffset: readHostU32(data, 12),
    targetOffsetOffset: readHostU32(data, 16),
    nextOffsetOffset: readHostU32(data, 20),
    countersOffset: readHostU32(data, 24),
    gotoFlag: readHostU32(data, 28),
  };
  const fieldsFit =
    layout.flagsOffset < layout.entrySize &&
    layout.targetOffsetOffset + 2 <= layout.entrySize &&
    layout.nextOffsetOffset + 2 <= layout.entrySize &&
    layout.countersOffset + 16 <= layout.entrySize;
  if (!fieldsFit) return parseFailure(`x_tables: inconsistent entry layout ${JSON.stringify(layout)}`);
  const tables: IptablesTable[] = [];
  let offset = HEADER_LEN;
  const field = (): Buffer | undefined => {
    if (data.length - offset < 4) return undefined;
    const length = readHostU32(data, offset);
    if (data.length - offset - 4 < length) return undefined;
    const value = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  while (offset < data.length) {
    const name = field();
    const info = field();
    const blob = field();
    if (name === undefined || info === undefined || blob === undefined || info.length < GETINFO_LEN) {
      return parseFailure(`x_tables: truncated table record at offset ${offset}`);
    }
    if (readHostU32(info, GETINFO_SIZE) !== blob.length)
      return parseFailure(`x_tables: ${name.toString()} size does not match its entries`);
    const table = parseTable(name.toString('utf8'), info, blob, blob.byteOffset - data.byteOffset, layout);
    if (!table.ok) return table;
    tables.push(table.value);
  }
  return parsed(tables);
}

/** True when the result lists no table at all (the family's x_tables are not in use in the namespace). */
export function xtablesHasNoTables(data: Buffer): boolean {
  return data.length <= HEADER_LEN;
}
