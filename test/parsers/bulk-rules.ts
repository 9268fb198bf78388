// The 5,000-rule chain of test/fixtures/iptables-save/nft-5000-rule-chain.txt, as iptables-restore
// input. capture-fixtures.mjs builds the same input (it cannot import TypeScript); keep the two alike.

export const BULK_CHAIN = 'neutron-l3-agent-bulk';
export const BULK_LOG_CHAIN = 'neutron-l3-agent-bulk-log';
export const BULK_RULES = 5000;

const TARGETS = ['ACCEPT', 'DROP', 'RETURN'] as const;

/** What rule number `i` (1-based) jumps to, and whether with -g. */
export function bulkRuleTarget(i: number): { target: string; goto: boolean } {
  return i % 50 === 0 ? { target: BULK_LOG_CHAIN, goto: true } : { target: TARGETS[i % 3] as string, goto: false };
}

/** The comment of rule number `i`, before iptables quotes it. */
export function bulkRuleComment(i: number): string {
  return `bulk rule ${i} "q"`;
}

export function bulkRestoreInput(): string {
  const lines = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    `:${BULK_CHAIN} - [0:0]`,
    `:${BULK_LOG_CHAIN} - [0:0]`,
    `-A INPUT -j ${BULK_CHAIN}`,
    `-A ${BULK_LOG_CHAIN} -j LOG --log-prefix "bulk "`,
  ];
  for (let i = 1; i <= BULK_RULES; i++) {
    const source = `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`;
    const { target, goto } = bulkRuleTarget(i);
    const quotedComment = `"${bulkRuleComment(i).replace(/["\\]/g, '\\$&')}"`;
    lines.push(
      `-A ${BULK_CHAIN} -s ${source} -p udp -m udp --dport ${1024 + i} -m comment --comment ${quotedComment} ${goto ? '-g' : '-j'} ${target}`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
