// nf_tables dumps (NFT_MSG_GETTABLE, GETCHAIN, GETRULE for one family) -> the iptables model, as
// iptables-nft-save v1.8.9 shows the same ruleset:
// - only the tables iptables knows (filter, nat, mangle, raw, security), in iptables' own order;
// - every built-in chain of such a table, ACCEPT [0:0] when the kernel has none by that name;
// - base chains that do not match a built-in chain (name, type, hook, priority) are left out, as
//   iptables-nft-save leaves them out ("contains incompatible base-chains");
// - a table with a rule iptables-nft cannot express is left out whole ("Table `x' is incompatible"),
//   unless `includeIncompatible` asks for it (then native nat, masq, redir, reject and log
//   expressions are named as the iptables targets they correspond to);
// - user chains sorted by name, rules in kernel order.
// Kernel side: include/uapi/linux/netfilter/nf_tables.h. Attribute values are big-endian.

import type { CounterOffsets, IptablesChain, IptablesRule, IptablesTable } from '../../model/records/iptables.js';
import { parsed, parseFailure, type ParseResult } from '../parse-result.js';
import { BUILTIN_TABLES, compareChainNames } from './iptables-model.js';
import {
  be32Attribute,
  be64Attribute,
  cString,
  forEachAttribute,
  forEachNetlinkMessage,
  has,
  indexAttributes,
  nestedIndex,
  neverThrow,
  NLMSG_DONE,
  stringAttribute,
  valueEnd,
  valueStart,
  type AttributeIndex,
} from './netlink-messages.js';

const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_NEWCHAIN = 3;
const NFT_MSG_NEWRULE = 6;
const NFGENMSG_LEN = 4;
/** Tables, chains, rules: what the native reader asks for, in one reading. */
const DUMPS_PER_RULESET = 3;

const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN_TABLE = 1;
const NFTA_CHAIN_NAME = 3;
const NFTA_CHAIN_HOOK = 4;
const NFTA_CHAIN_POLICY = 5;
const NFTA_CHAIN_TYPE = 7;
const NFTA_CHAIN_COUNTERS = 8;
const NFTA_HOOK_HOOKNUM = 1;
const NFTA_HOOK_PRIORITY = 2;
const NFTA_RULE_TABLE = 1;
const NFTA_RULE_CHAIN = 2;
const NFTA_RULE_EXPRESSIONS = 4;
const NFTA_RULE_USERDATA = 7;
const NFTA_LIST_ELEM = 1;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;
const NFTA_COUNTER_BYTES = 1;
const NFTA_COUNTER_PACKETS = 2;
const NFTA_IMMEDIATE_DREG = 1;
const NFTA_IMMEDIATE_DATA = 2;
const NFTA_DATA_VERDICT = 2;
const NFTA_VERDICT_CODE = 1;
const NFTA_VERDICT_CHAIN = 2;
const NFTA_TARGET_NAME = 1;
const NFTA_MATCH_NAME = 1;
const NFTA_MATCH_INFO = 3;
const NFTA_NAT_TYPE = 1;
const NFTA_LOG_GROUP = 1;
const NFTA_LIMIT_TYPE = 4;
const NFTA_LIMIT_FLAGS = 5;
const NFT_REG_VERDICT = 0;
const NFT_NAT_SNAT = 0;
const NFT_LIMIT_PKTS = 0;
/** libnftnl's rule user data TLV type for a comment (NFTNL_UDATA_RULE_COMMENT). */
const UDATA_RULE_COMMENT = 0;

const VERDICT_NAMES = new Map<number, string>([
  [0, 'DROP'], // NF_DROP
  [1, 'ACCEPT'], // NF_ACCEPT
  [3, 'NFQUEUE'], // NF_QUEUE
  [-5, 'RETURN'], // NFT_RETURN
]);
const NFT_JUMP = -3;
const NFT_GOTO = -4;

/** Expressions iptables-nft v1.8.9 can turn back into iptables syntax (nft.c, supported_exprs). */
const IPTABLES_EXPRESSIONS = new Set(['match', 'target', 'payload', 'meta', 'cmp', 'bitwise', 'counter', 'immediate', 'lookup', 'range']);

export interface NftablesParseOptions {
  /** Also return tables iptables-nft-save would refuse to print (default false: parity with it). */
  readonly includeIncompatible?: boolean;
  /**
   * Only this family's messages (an NFPROTO_UNSPEC dump holds every family's tables: ip, ip6, inet,
   * arp, bridge, netdev); every message is taken when absent (a dump of one family).
   */
  readonly family?: 'ipv4' | 'ipv6';
}

const NFPROTO_BY_FAMILY = { ipv4: 2, ipv6: 10 } as const;

interface ChainRecord {
  readonly name: string;
  readonly hook?: { readonly hooknum: number; readonly priority: number; readonly type: string };
  readonly policy: string;
  readonly policyPackets: number;
  readonly policyBytes: number;
  readonly policyCountersAt?: CounterOffsets;
  readonly rules: IptablesRule[];
}

interface TableRecord {
  readonly chains: Map<string, ChainRecord>;
  compatible: boolean;
}

interface DecodedRule {
  readonly rule: Omit<IptablesRule, 'position'>;
  readonly compatible: boolean;
}

/** Highest attribute type each parser looks at (sizes the attribute indexes). */
const MAX_TABLE_ATTR = NFTA_TABLE_NAME;
const MAX_CHAIN_ATTR = NFTA_CHAIN_COUNTERS;
const MAX_RULE_ATTR = NFTA_RULE_USERDATA;
const MAX_EXPR_DATA_ATTR = 5;

/** The comment libnftnl stores in rule user data: TLVs of (u8 type, u8 length, value). */
function userDataComment(buf: Buffer, index: AttributeIndex): string {
  if (!has(index, NFTA_RULE_USERDATA)) return '';
  const end = valueEnd(index, NFTA_RULE_USERDATA);
  for (let offset = valueStart(index, NFTA_RULE_USERDATA); offset + 2 <= end;) {
    const type = buf[offset] as number;
    const length = buf[offset + 1] as number;
    if (offset + 2 + length > end) break;
    if (type === UDATA_RULE_COMMENT) return cString(buf, offset + 2, offset + 2 + length);
    offset += 2 + length;
  }
  return '';
}

/** nft_is_expr_compatible() of iptables v1.8.9: what its save command can print. */
function isIptablesExpression(name: string, buf: Buffer, data: AttributeIndex): boolean {
  if (IPTABLES_EXPRESSIONS.has(name)) return true;
  if (name === 'log') return has(data, NFTA_LOG_GROUP);
  if (name === 'limit') {
    return (
      (be32Attribute(buf, data, NFTA_LIMIT_TYPE) ?? NFT_LIMIT_PKTS) === NFT_LIMIT_PKTS &&
      (be32Attribute(buf, data, NFTA_LIMIT_FLAGS) ?? 0) === 0
    );
  }
  return false;
}

const NO_ATTRIBUTES: AttributeIndex = new Array<number>(2 * (MAX_EXPR_DATA_ATTR + 1)).fill(-1);

/** Where a counter expression's (or chain's) packets and bytes values start; undefined when one is missing. */
function counterOffsets(counters: AttributeIndex): CounterOffsets | undefined {
  const packets = valueStart(counters, NFTA_COUNTER_PACKETS);
  const bytes = valueStart(counters, NFTA_COUNTER_BYTES);
  if (packets === -1 || bytes === -1) return undefined;
  if (valueEnd(counters, NFTA_COUNTER_PACKETS) - packets < 8 || valueEnd(counters, NFTA_COUNTER_BYTES) - bytes < 8) return undefined;
  return { packets, bytes };
}

/**
 * Calls `visit` with each expression of a rule's NFTA_RULE_EXPRESSIONS list: its name and the index of
 * its data attributes (undefined when absent). False when the list or an expression is malformed.
 */
function forEachExpression(
  buf: Buffer,
  rule: AttributeIndex,
  visit: (name: string | undefined, data: AttributeIndex | undefined) => void,
): boolean {
  let malformed = false;
  const listOk = forEachAttribute(
    buf,
    valueStart(rule, NFTA_RULE_EXPRESSIONS),
    valueEnd(rule, NFTA_RULE_EXPRESSIONS),
    (type, start, end) => {
      if (type !== NFTA_LIST_ELEM) return;
      const expression = indexAttributes(buf, start, end, NFTA_EXPR_DATA);
      if (expression === undefined) {
        malformed = true;
        return;
      }
      visit(stringAttribute(buf, expression, NFTA_EXPR_NAME), nestedIndex(buf, expression, NFTA_EXPR_DATA, MAX_EXPR_DATA_ATTR));
    },
  );
  return listOk && !malformed;
}

function decodeRule(buf: Buffer, rule: AttributeIndex): DecodedRule | undefined {
  let packets = 0;
  let bytes = 0;
  let countersAt: CounterOffsets | undefined;
  let counted = false;
  let target = '';
  let goto = false;
  const comments: string[] = [];
  let compatible = true;
  const wellFormed = forEachExpression(buf, rule, (expressionName, expressionData) => {
    const name = expressionName ?? '';
    const data = expressionData ?? NO_ATTRIBUTES;
    if (!isIptablesExpression(name, buf, data)) compatible = false;
    switch (name) {
      case 'counter':
        if (!counted) {
          packets = be64Attribute(buf, data, NFTA_COUNTER_PACKETS);
          bytes = be64Attribute(buf, data, NFTA_COUNTER_BYTES);
          countersAt = counterOffsets(data);
          counted = true;
        }
        break;
      case 'immediate': {
        if (be32Attribute(buf, data, NFTA_IMMEDIATE_DREG) !== NFT_REG_VERDICT) break;
        const value = nestedIndex(buf, data, NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT);
        const verdict = value && nestedIndex(buf, value, NFTA_DATA_VERDICT, NFTA_VERDICT_CHAIN);
        const rawCode = verdict && be32Attribute(buf, verdict, NFTA_VERDICT_CODE);
        const code = rawCode === undefined ? undefined : rawCode | 0; // verdict codes are signed
        if (code === NFT_JUMP || code === NFT_GOTO) {
          target = (verdict && stringAttribute(buf, verdict, NFTA_VERDICT_CHAIN)) ?? '';
          goto = code === NFT_GOTO;
        } else if (code !== undefined && VERDICT_NAMES.has(code)) {
          target = VERDICT_NAMES.get(code) as string;
          goto = false;
        }
        break;
      }
      case 'target':
        target = stringAttribute(buf, data, NFTA_TARGET_NAME) ?? '';
        goto = false;
        break;
      case 'match':
        if (stringAttribute(buf, data, NFTA_MATCH_NAME) === 'comment') comments.push(stringAttribute(buf, data, NFTA_MATCH_INFO) ?? '');
        break;
      case 'log':
        // iptables-nft writes -j NFLOG as a native log expression with a group; a log without a group
        // is nft's syslog logging, i.e. iptables' LOG (which iptables-nft itself keeps as an xt target)
        target = has(data, NFTA_LOG_GROUP) ? 'NFLOG' : 'LOG';
        goto = false;
        break;
      case 'nat':
        target = be32Attribute(buf, data, NFTA_NAT_TYPE) === NFT_NAT_SNAT ? 'SNAT' : 'DNAT';
        goto = false;
        break;
      case 'masq':
        target = 'MASQUERADE';
        goto = false;
        break;
      case 'redir':
        target = 'REDIRECT';
        goto = false;
        break;
      case 'reject':
        target = 'REJECT';
        goto = false;
        break;
      default:
        break;
    }
  });
  if (!wellFormed) return undefined;
  const comment = comments.length > 0 ? comments.join(' ') : userDataComment(buf, rule);
  return { rule: { packets, bytes, target, goto, comment, ...(countersAt && { countersAt }) }, compatible };
}

/** True when a base chain is exactly one of iptables' built-in chains of its table. */
function isBuiltinBaseChain(table: string, chain: ChainRecord): boolean {
  const spec = BUILTIN_TABLES.get(table)?.find((candidate) => candidate.name === chain.name);
  return spec !== undefined && spec.hook === chain.hook?.hooknum && spec.priority === chain.hook.priority && spec.type === chain.hook.type;
}

/** Parses the concatenated table, chain and rule dumps of one family. */
export function parseNftablesRuleset(data: Buffer, options: NftablesParseOptions = {}): ParseResult<IptablesTable[]> {
  return neverThrow('nftables', () => parseRuleset(data, options));
}

function parseRuleset(data: Buffer, options: NftablesParseOptions): ParseResult<IptablesTable[]> {
  const tables = new Map<string, TableRecord>();
  const onlyFamily = options.family === undefined ? undefined : NFPROTO_BY_FAMILY[options.family];
  let generation: number | undefined;
  let dumpsEnded = 0;
  // rules arrive grouped by chain: remember the last one instead of decoding its names every time
  let lastRuleChain: { table: string; chain: string; tableRecord: TableRecord; chainRecord: ChainRecord } | undefined;

  const problem = forEachNetlinkMessage(data, (message) => {
    if (message.type === NLMSG_DONE) {
      dumpsEnded++;
      return undefined;
    }
    if (message.type >> 8 !== NFNL_SUBSYS_NFTABLES) return undefined;
    const kind = message.type & 0xff;
    const { payloadStart: start, payloadEnd: end } = message;
    if (end - start < NFGENMSG_LEN) return `nftables: message of ${end - start} bytes`;
    // every dump reply carries the ruleset generation (low 16 bits); separate dumps must agree
    const resId = data.readUInt16BE(start + 2);
    if (generation === undefined) generation = resId;
    else if (generation !== resId) return `nftables: ruleset changed between dumps (generation ${generation}, then ${resId})`;
    if (onlyFamily !== undefined && data[start] !== onlyFamily) return undefined;

    if (kind === NFT_MSG_NEWTABLE) {
      const attributes = indexAttributes(data, start + NFGENMSG_LEN, end, MAX_TABLE_ATTR);
      const name = attributes && stringAttribute(data, attributes, NFTA_TABLE_NAME);
      if (name === undefined) return 'nftables: table without a name';
      if (!tables.has(name)) tables.set(name, { chains: new Map(), compatible: true });
    } else if (kind === NFT_MSG_NEWCHAIN) {
      const attributes = indexAttributes(data, start + NFGENMSG_LEN, end, MAX_CHAIN_ATTR);
      if (attributes === undefined) return 'nftables: malformed chain attributes';
      const table = tables.get(stringAttribute(data, attributes, NFTA_CHAIN_TABLE) ?? '');
      const name = stringAttribute(data, attributes, NFTA_CHAIN_NAME);
      if (table === undefined || name === undefined) return 'nftables: chain without a known table or a name';
      const hook = nestedIndex(data, attributes, NFTA_CHAIN_HOOK, NFTA_HOOK_PRIORITY);
      const counters = nestedIndex(data, attributes, NFTA_CHAIN_COUNTERS, NFTA_COUNTER_PACKETS);
      table.chains.set(name, {
        name,
        hook:
          hook === undefined
            ? undefined
            : {
                hooknum: be32Attribute(data, hook, NFTA_HOOK_HOOKNUM) ?? -1,
                priority: (be32Attribute(data, hook, NFTA_HOOK_PRIORITY) ?? 0) | 0,
                type: stringAttribute(data, attributes, NFTA_CHAIN_TYPE) ?? '',
              },
        policy: be32Attribute(data, attributes, NFTA_CHAIN_POLICY) === 0 ? 'DROP' : 'ACCEPT',
        policyPackets: counters ? be64Attribute(data, counters, NFTA_COUNTER_PACKETS) : 0,
        policyBytes: counters ? be64Attribute(data, counters, NFTA_COUNTER_BYTES) : 0,
        policyCountersAt: counters && counterOffsets(counters),
        rules: [],
      });
    } else if (kind === NFT_MSG_NEWRULE) {
      const attributes = indexAttributes(data, start + NFGENMSG_LEN, end, MAX_RULE_ATTR);
      if (attributes === undefined) return 'nftables: malformed rule attributes';
      const tableName = stringAttribute(data, attributes, NFTA_RULE_TABLE) ?? '';
      const chainName = stringAttribute(data, attributes, NFTA_RULE_CHAIN) ?? '';
      if (lastRuleChain?.table !== tableName || lastRuleChain.chain !== chainName) {
        const tableRecord = tables.get(tableName);
        const chainRecord = tableRecord?.chains.get(chainName);
        if (tableRecord === undefined || chainRecord === undefined) return 'nftables: rule without a known table and chain';
        lastRuleChain = { table: tableName, chain: chainName, tableRecord, chainRecord };
      }
      const { tableRecord, chainRecord } = lastRuleChain;
      // rules of base chains iptables does not show do not make the table incompatible either
      if (chainRecord.hook !== undefined && !isBuiltinBaseChain(tableName, chainRecord)) return undefined;
      const decoded = decodeRule(data, attributes);
      if (decoded === undefined) return `nftables: malformed expressions in ${tableName}/${chainName}`;
      if (!decoded.compatible) tableRecord.compatible = false;
      chainRecord.rules.push({ position: chainRecord.rules.length + 1, ...decoded.rule });
    }
    return undefined;
  });
  if (problem !== undefined) return parseFailure(problem);
  // the table, chain and rule dumps each end with NLMSG_DONE: fewer means the answer was cut short
  if (dumpsEnded < DUMPS_PER_RULESET)
    return parseFailure(`nftables: ${dumpsEnded} of ${DUMPS_PER_RULESET} dumps ended with NLMSG_DONE (truncated)`);

  const result: IptablesTable[] = [];
  for (const [tableName, builtinChains] of BUILTIN_TABLES) {
    const table = tables.get(tableName);
    if (table === undefined || (!table.compatible && !options.includeIncompatible)) continue;
    const chains: IptablesChain[] = builtinChains.map((spec) => {
      const chain = table.chains.get(spec.name);
      if (chain !== undefined && isBuiltinBaseChain(tableName, chain)) return toChain(chain, true);
      return { name: spec.name, builtin: true, policy: 'ACCEPT', policyPackets: 0, policyBytes: 0, rules: [] };
    });
    const userChains = [...table.chains.values()]
      .filter((chain) => chain.hook === undefined)
      .sort((a, b) => compareChainNames(a.name, b.name))
      .map((chain) => toChain(chain, false));
    result.push({ name: tableName, chains: [...chains, ...userChains] });
  }
  return parsed(result);
}

function toChain(chain: ChainRecord, builtin: boolean): IptablesChain {
  const policyCountersAt = builtin ? chain.policyCountersAt : undefined;
  return {
    name: chain.name,
    builtin,
    policy: builtin ? chain.policy : '',
    policyPackets: builtin ? chain.policyPackets : 0,
    policyBytes: builtin ? chain.policyBytes : 0,
    rules: chain.rules,
    ...(policyCountersAt && { policyCountersAt }),
  };
}

/**
 * Where every counter value of a dump lies, whatever its family and whether iptables would show it:
 * chain counters and the bytes and packets of each rule's counter expressions. With the netlink
 * header fields, these are the bytes that may change while the ruleset does not (reading-shape.ts).
 */
export function nftablesCounterRanges(data: Buffer): ParseResult<[number, number][]> {
  return neverThrow('nftables', () => counterRanges(data));
}

function counterRanges(data: Buffer): ParseResult<[number, number][]> {
  const ranges: [number, number][] = [];
  const addCounters = (counters: AttributeIndex): void => {
    for (const type of [NFTA_COUNTER_BYTES, NFTA_COUNTER_PACKETS]) {
      const start = valueStart(counters, type);
      if (start !== -1) ranges.push([start, valueEnd(counters, type)]);
    }
  };
  let malformed = false;
  const problem = forEachNetlinkMessage(data, (message) => {
    if (message.type >> 8 !== NFNL_SUBSYS_NFTABLES) return undefined;
    const kind = message.type & 0xff;
    const start = message.payloadStart + NFGENMSG_LEN;
    if (kind === NFT_MSG_NEWCHAIN) {
      const attributes = indexAttributes(data, start, message.payloadEnd, MAX_CHAIN_ATTR);
      const counters = attributes && nestedIndex(data, attributes, NFTA_CHAIN_COUNTERS, NFTA_COUNTER_PACKETS);
      if (counters) addCounters(counters);
    } else if (kind === NFT_MSG_NEWRULE) {
      const attributes = indexAttributes(data, start, message.payloadEnd, MAX_RULE_ATTR);
      if (attributes === undefined || !has(attributes, NFTA_RULE_EXPRESSIONS)) return undefined;
      const wellFormed = forEachExpression(data, attributes, (name, counters) => {
        if (name === 'counter' && counters) addCounters(counters);
      });
      if (!wellFormed) malformed = true;
    }
    return undefined;
  });
  if (problem !== undefined) return parseFailure(problem);
  if (malformed) return parseFailure('nftables: malformed expressions');
  return parsed(ranges);
}
