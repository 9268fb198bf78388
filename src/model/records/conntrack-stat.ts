// The conntrack statistics of a namespace (parsers/nf-conntrack-stat.ts).

/** /proc/net/stat/nf_conntrack with every counter column summed over the CPU rows. */
export interface NfConntrackStatTotals {
  /** The `entries` column: the namespace's count, printed the same on every row, so not summed. */
  readonly entries: number;
  /**
   * Every other column by its header name, in header order, summed over the rows: found, invalid,
   * insert, insert_failed, drop, early_drop, search_restart, ... Keyed by name, not by position:
   * kernels differ in columns (no search_restart before 2.6.35; searched and delete_list became
   * clashres and chainlength in 5.x), so procfs's positional names are wrong on some of them.
   */
  readonly totals: ReadonlyMap<string, number>;
  /** How many rows were summed (one per possible CPU). */
  readonly cpus: number;
  /**
   * Where each column's value sits in the first CPU row (byte offset, by header name) and how long a
   * row is. The kernel prints every value as %08x, so every row is as long and a column's value on the
   * n-th CPU is n rows further on (sumHexColumn). Undefined when the rows differ in length: then
   * nothing can be read in place.
   */
  readonly columnsAt?: { readonly at: ReadonlyMap<string, number>; readonly rowLength: number };
}
