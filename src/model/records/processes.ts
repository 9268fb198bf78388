// The processes living in a network namespace, as discovery saw them (discovery/discover-namespaces.ts):
// the processes collector counts them by name, netns_info names the one that holds an unnamed
// namespace. Read by discovery's one walk of /proc; nothing enters a namespace for them.

/** One process whose /proc/<pid>/ns/net pointed to the namespace when discovery read it. */
export interface NetnsProcess {
  readonly pid: number;
  /**
   * /proc/<pid>/comm without its newline: the base name of the file the process executed (for a
   * script run through its #! line, the script's), cut by the kernel to 15 bytes (TASK_COMM_LEN).
   */
  readonly comm: string;
  /**
   * The start of /proc/<pid>/cmdline (NUL-separated arguments, at most CMDLINE_BYTES), read only
   * where `comm` cannot name the command (commHidesCommand); undefined elsewhere.
   */
  readonly cmdline?: string;
}

/**
 * The process holding a namespace that no Neutron name explains (kind other: `net:[<inode>]`, `cni-...`):
 * the lowest pid living in it, for netns_info's holder labels.
 */
export interface NetnsHolder {
  readonly pid: number;
  /** Its /proc/<pid>/comm. */
  readonly comm: string;
  /** Its /proc/<pid>/cgroup as read (at most CMDLINE_BYTES); empty when it could not be read. */
  readonly cgroup: string;
}

/** How much of /proc/<pid>/cmdline discovery reads: enough for an interpreter and its script's path. */
export const CMDLINE_BYTES = 4096;

/** TASK_COMM_LEN (16) less its NUL: a comm this long may be the start of a longer name. */
export const COMM_MAX_BYTES = 15;

/**
 * Interpreters a command runs under (`python3 /usr/bin/neutron-keepalived-state-change`): their comm
 * names the interpreter, and the command is their first argument that is no option.
 */
export const INTERPRETER = /^(?:python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|sh|bash|dash)$/;

/**
 * True when `comm` (`bytes` long as the kernel printed it) may not be the command's name, so that
 * discovery reads the command line too: it is 15 bytes long (perhaps cut: Neutron's
 * `neutron-keepalived-state-change`, a Python console script, has the comm `neutron-keepali`) or
 * names an interpreter.
 */
export function commHidesCommand(comm: string, bytes: number): boolean {
  return bytes >= COMM_MAX_BYTES || INTERPRETER.test(comm);
}
