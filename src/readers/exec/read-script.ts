// The shell script that runs inside a namespace (as `nsenter --net=<path> -- /bin/sh -c SCRIPT sh
// <nonce> <tool PATH> <tool timeout> <request>...`) and what it does for each request.
//
// It is a constant: namespace names, paths and requests reach it only as positional arguments, and
// it never evaluates an argument as code (each request only selects a `case` branch).

import type { RawFormat, ReadRequest } from '../reader.js';

/**
 * Output, for the whole read (every marker line starts with the per-read random nonce, which no
 * tool can know in advance, so tool output such as an iptables comment cannot forge one):
 *
 *   <nonce> ready\n                         the script runs inside the namespace
 *   then per request, in argument order:
 *   <nonce> begin <request>\n
 *   <the tool's stdout, byte for byte>\n    (this one newline is added by the script)
 *   <nonce> stderr <request>\n
 *   <the tool's stderr, trailing newlines stripped>\n
 *   <nonce> end <request> <status>\n        status: exit status, `absent`, or `unknown`
 *   and last:
 *   <nonce> done\n
 *
 * Tools that can block (ip, the iptables-save family: netlink dumps, locks) run under
 * `timeout --foreground -s KILL`: --foreground keeps them in the read's process group, so killing
 * that group at the read's deadline reaches them (without it timeout moves itself and the tool into
 * a group of their own, which the deadline kill would miss). Reading a /proc file cannot block, so
 * `cat` runs without the extra `timeout` process (about 1 ms each). Not the shell's `read` builtin:
 * it reads one byte per call, and a sysctl file such as nf_conntrack_count answers any read at a
 * non-zero offset with end-of-file, so `read` would see "2" of "262144".
 */
export const READ_SCRIPT = `
nonce=$1
PATH=$2
export PATH
limit=$3
shift 3

run_tool() {
  { stderr=$(timeout --foreground -s KILL "$limit" "$@" 2>&1 >&3 3>&-); } 3>&1
  status=$?
}
run_plain() {
  { stderr=$("$@" 2>&1 >&3 3>&-); } 3>&1
  status=$?
}
read_if_present() {
  if [ -e "$1" ]; then run_plain cat "$1"; else status=absent; fi
}
# No names file: the x_tables module is not loaded here. A names file we may not read (0440 root,
# and the exporter runs without CAP_DAC_READ_SEARCH): run the tool so its denial is reported,
# instead of calling it "no tables" and losing the rules silently.
has_tables() {
  [ -e "$1" ] || return 1
  [ -r "$1" ] || return 0
  IFS= read -r table < "$1"
}

printf '%s ready\\n' "$nonce"
for request in "$@"; do
  stderr=
  printf '%s begin %s\\n' "$nonce" "$request"
  case $request in
    net-dev) run_plain cat /proc/net/dev ;;
    links) run_tool ip -j link show ;;
    iptables-nft-ipv4) run_tool iptables-nft-save -c ;;
    iptables-nft-ipv6) run_tool ip6tables-nft-save -c ;;
    iptables-legacy-ipv4)
      if has_tables /proc/net/ip_tables_names; then run_tool iptables-legacy-save -c; else status=absent; fi ;;
    iptables-legacy-ipv6)
      if has_tables /proc/net/ip6_tables_names; then run_tool ip6tables-legacy-save -c; else status=absent; fi ;;
    conntrack-count) read_if_present /proc/sys/net/netfilter/nf_conntrack_count ;;
    conntrack-max) read_if_present /proc/sys/net/netfilter/nf_conntrack_max ;;
    *) status=unknown ;;
  esac
  printf '\\n%s stderr %s\\n%s\\n%s end %s %s\\n' "$nonce" "$request" "$stderr" "$nonce" "$request" "$status"
done
printf '%s done\\n' "$nonce"
`;

/** What each request runs (for error details) and the format of the bytes it returns. */
export const REQUEST_TOOLS: Readonly<Record<ReadRequest, { readonly tool: string; readonly format: RawFormat }>> = {
  'net-dev': { tool: 'cat /proc/net/dev', format: 'text' },
  links: { tool: 'ip -j link show', format: 'ip-link-json' },
  'iptables-nft-ipv4': { tool: 'iptables-nft-save -c', format: 'iptables-save' },
  'iptables-nft-ipv6': { tool: 'ip6tables-nft-save -c', format: 'iptables-save' },
  'iptables-legacy-ipv4': { tool: 'iptables-legacy-save -c', format: 'iptables-save' },
  'iptables-legacy-ipv6': { tool: 'ip6tables-legacy-save -c', format: 'iptables-save' },
  'conntrack-count': { tool: 'cat /proc/sys/net/netfilter/nf_conntrack_count', format: 'text' },
  'conntrack-max': { tool: 'cat /proc/sys/net/netfilter/nf_conntrack_max', format: 'text' },
};
