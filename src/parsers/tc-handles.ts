// tc's spelling of qdisc handles, class ids and u32 filter handles, so that the native parser's labels
// are the words `tc -s -j` prints. References: iproute2 tc/tc_util.c (print_tc_classid),
// tc/tc_qdisc.c (print_qdisc: "%x:" of the handle's major), tc/f_u32.c (sprint_u32_handle),
// include/uapi/linux/pkt_sched.h (TC_H_*), pkt_cls.h (TC_U32_*).

const TC_H_ROOT = 0xffffffff;

/** A qdisc handle: its major number and a colon (`1:`, `ffff:`, `0:`). */
export function qdiscHandle(handle: number): string {
  return `${(handle >>> 16).toString(16)}:`;
}

/** A parent or class id as print_tc_classid spells it; 0 (TC_H_UNSPEC) is '' here, as tc prints no parent then. */
export function tcClassid(id: number): string {
  const h = id >>> 0;
  if (h === TC_H_ROOT) return 'root';
  if (h === 0) return '';
  const major = h >>> 16;
  const minor = h & 0xffff;
  if (major === 0) return `:${minor.toString(16)}`;
  if (minor === 0) return `${major.toString(16)}:`;
  return `${major.toString(16)}:${minor.toString(16)}`;
}

/** A filter handle as tc prints it: u32's `htid:hash:node`, the others' `0x<hex>`. */
export function filterHandle(kind: string, handle: number): string {
  const h = handle >>> 0;
  if (kind !== 'u32') return `0x${h.toString(16)}`;
  if (h === 0) return 'none';
  const htid = h >>> 20;
  const hash = (h >>> 12) & 0xff;
  const node = h & 0xfff;
  let text = htid !== 0 ? `${htid.toString(16)}:` : '';
  if (hash !== 0) text += hash.toString(16);
  if (node !== 0) text += `:${node.toString(16)}`;
  return text;
}
