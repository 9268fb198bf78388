// The shell script that runs inside a namespace (as `nsenter --net=<path> -- /bin/sh -c SCRIPT sh
// <nonce> <tool PATH> <tool timeout> <read>...`), and how a source's exec declaration becomes the
// words of one <read>. The script knows no source: it runs what each group of words says.
//
// It is a constant: namespace names, paths and argv reach it only as positional arguments, and it
// never evaluates an argument as code (a mode only selects a `case` branch).

import { MAX_EXEC_ARGV, type AnyNamespaceSource, type ExecRead } from '../../sources/source.js';

/**
 * Output, for the whole read (every marker line starts with the per-read random nonce, which no
 * tool can know in advance, so tool output such as an iptables comment cannot forge one):
 *
 *   <nonce> ready\n                         the script runs inside the namespace
 *   then per read, in argument order:
 *   <nonce> begin <name>\n
 *   <the tool's stdout, byte for byte>\n    (this one newline is added by the script)
 *   <nonce> stderr <name>\n
 *   <the tool's stderr, trailing newlines stripped>\n
 *   <nonce> end <name> <status>\n           status: exit status, `absent`, or `unknown`
 *   and last:
 *   <nonce> done\n
 *
 * A read is the words `<name> <mode> <guard> <count> <word>...` (see execReadWords): mode `file`
 * copies the file named by its one word if it exists (else `absent`); `tool` runs the words as a
 * command; `tool-if-tables` does so only where the x_tables names file <guard> lists a table.
 *
 * Tools that can block (ip, the iptables-save family: netlink dumps, locks) run under
 * `timeout --foreground -s KILL`: --foreground keeps them in the read's process group, so killing
 * that group at the read's deadline reaches them (without it timeout moves itself and the tool into
 * a group of their own, which the deadline kill would miss). Reading a /proc file cannot block, so
 * `cat` runs without the extra `timeout` process (one process fewer per file, per namespace). Not the shell's `read` builtin:
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

# the first $1 words after it as a command, under timeout (at most MAX_EXEC_ARGV words)
run_words() {
  case $1 in
    1) run_tool "$2" ;;
    2) run_tool "$2" "$3" ;;
    3) run_tool "$2" "$3" "$4" ;;
    4) run_tool "$2" "$3" "$4" "$5" ;;
    5) run_tool "$2" "$3" "$4" "$5" "$6" ;;
    6) run_tool "$2" "$3" "$4" "$5" "$6" "$7" ;;
    7) run_tool "$2" "$3" "$4" "$5" "$6" "$7" "$8" ;;
    8) run_tool "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" ;;
    *) status=unknown ;;
  esac
}

printf '%s ready\\n' "$nonce"
while [ $# -ge 4 ]; do
  name=$1 mode=$2 guard=$3 count=$4
  shift 4
  stderr=
  printf '%s begin %s\\n' "$nonce" "$name"
  case $count in
    ''|*[!0-9]*) status=unknown ;;
    *)
      if [ "$count" -gt $# ]; then
        status=unknown
      else
        case $mode in
          file) read_if_present "$1" ;;
          tool) run_words "$count" "$@" ;;
          tool-if-tables)
            if has_tables "$guard"; then run_words "$count" "$@"; else status=absent; fi ;;
          *) status=unknown ;;
        esac
        shift "$count"
      fi ;;
  esac
  printf '\\n%s stderr %s\\n%s\\n%s end %s %s\\n' "$nonce" "$name" "$stderr" "$nonce" "$name" "$status"
  [ "$status" = unknown ] && break
done
printf '%s done\\n' "$nonce"
`;

/** The words of one read in the script's arguments (see READ_SCRIPT). */
export function execReadWords(name: string, read: ExecRead): string[] {
  if (read.kind === 'file') return [name, 'file', '', '1', read.path];
  if (read.argv.length > MAX_EXEC_ARGV) throw new Error(`${name}: more than ${MAX_EXEC_ARGV} words`);
  const mode = read.onlyIfTablesIn === undefined ? 'tool' : 'tool-if-tables';
  return [name, mode, read.onlyIfTablesIn ?? '', String(read.argv.length), ...read.argv];
}

/** What a source's read runs, for error details. */
export function execReadDescription(source: AnyNamespaceSource): string {
  const read = source.exec.read;
  if (read.kind === 'file') return `cat ${read.path}`;
  return read.description ?? read.argv.join(' ');
}
