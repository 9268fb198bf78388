// Ground truth for the neighbour counts (root): a namespace whose neighbour cache holds exactly the
// entries added here, read both ways: the native reader's request (getNeighbourDumpRequest() through
// the built addon, its devices named from a link dump as the neighbor collector names them) and the exec backend's `ip -j neigh show nud all`. Both parses must equal what
// was set up. No traffic at all: IPv6 is on on the device but it has no address (addrgenmode none),
// so no MLD report makes a multicast entry, and no entry is used, so none changes state.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NeighbourCount } from '../../src/model/records/neighbours.js';
import { parseIpNeighJson } from '../../src/parsers/ip-neigh-json.js';
import { namedNeighbourCounts } from '../../src/parsers/neighbour-counts.js';
import { parseRtnetlinkNeighbours } from '../../src/parsers/netlink/rtnetlink-neighbours.js';
import type { ParseResult } from '../../src/parsers/parse-result.js';
import { RequestKind } from '../../src/readers/native/load-addon.js';
import { getLinkDumpRequest, getNeighbourDumpRequest, NETLINK_ROUTE } from '../../src/sources/netlink-requests.js';
import { openAddonSession, type AddonSession } from '../support/netlink-request.js';
import { rtnetlinkLinks } from '../support/rtnetlink.js';
import { createNetnsLab, skipUnlessRoot, type NetnsLab } from '../support/netns-lab.js';

const HOSTILE = 'qr-"n\\😀';

// [address, device, nud, lladdr?]
const ENTRIES: readonly (readonly [string, string, string, string?])[] = [
  ['10.6.0.50', 'qg-n', 'permanent', '02:00:00:00:00:50'],
  ['10.6.0.51', 'qg-n', 'permanent', '02:00:00:00:00:51'],
  ['10.6.0.52', 'qg-n', 'noarp', '02:00:00:00:00:52'],
  ['10.6.0.53', 'qg-n', 'stale', '02:00:00:00:00:53'],
  ['10.6.0.54', 'qg-n', 'none'],
  ['10.6.0.55', 'qg-n', 'reachable', '02:00:00:00:00:55'],
  ['10.6.0.56', 'qg-n', 'failed'],
  ['fd06::5', 'qg-n', 'permanent', '02:00:00:00:00:05'],
  ['fd06::6', 'qg-n', 'stale', '02:00:00:00:00:06'],
  ['fd06::7', 'qg-n', 'noarp', '02:00:00:00:00:07'],
  ['10.7.0.5', HOSTILE, 'permanent', '02:00:00:00:07:05'],
];

const EXPECTED: NeighbourCount[] = [
  { device: 'qg-n', family: 'ipv4', state: 'failed', count: 1 },
  { device: 'qg-n', family: 'ipv4', state: 'noarp', count: 1 },
  { device: 'qg-n', family: 'ipv4', state: 'none', count: 1 },
  { device: 'qg-n', family: 'ipv4', state: 'permanent', count: 2 },
  { device: 'qg-n', family: 'ipv4', state: 'reachable', count: 1 },
  { device: 'qg-n', family: 'ipv4', state: 'stale', count: 1 },
  { device: 'qg-n', family: 'ipv6', state: 'noarp', count: 1 },
  { device: 'qg-n', family: 'ipv6', state: 'permanent', count: 1 },
  { device: 'qg-n', family: 'ipv6', state: 'stale', count: 1 },
  { device: HOSTILE, family: 'ipv4', state: 'permanent', count: 1 },
].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)) as NeighbourCount[];

function valueOf<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

describe.skipIf(skipUnlessRoot('neighbour counts against the kernel'))(
  'neighbour counts: native dump == ip -j neigh show nud all == what was added',
  () => {
    let lab: NetnsLab;
    let session: AddonSession;
    let router: string;

    beforeAll(async () => {
      lab = await createNetnsLab('neigh');
      session = openAddonSession();
      lab.onCleanup(() => session.close());
      const [r, peer] = (await lab.addNamespaces(['router', 'peer'])) as [string, string];
      router = r;
      await lab.vethPair({ ns: router, dev: 'qg-n', cidr: '10.6.0.1/24' }, { ns: peer, dev: 'eth0', cidr: '10.6.0.2/24' });
      await lab.vethPair({ ns: router, dev: HOSTILE, cidr: '10.7.0.1/24' }, { ns: peer, dev: 'eth1' });
      // IPv6 on, but no address of any kind on the device: no MLD report, no multicast neighbour
      await execa('ip', ['-n', router, 'link', 'set', 'dev', 'qg-n', 'addrgenmode', 'none']);
      await execa('ip', ['netns', 'exec', router, 'tee', '/proc/sys/net/ipv6/conf/qg-n/disable_ipv6'], { input: '0\n', stdout: 'ignore' });
      for (const [address, dev, nud, lladdr] of ENTRIES) {
        await execa('ip', ['-n', router, 'neigh', 'add', address, ...(lladdr ? ['lladdr', lladdr] : []), 'dev', dev, 'nud', nud]);
      }
    }, 30_000);

    afterAll(async () => {
      await lab?.cleanup();
    }, 30_000);

    test('both backends count exactly the entries added', async () => {
      const dump = await session.answer(router, [RequestKind.netlink, NETLINK_ROUTE, getNeighbourDumpRequest()]);
      const links = valueOf(rtnetlinkLinks(await session.answer(router, [RequestKind.netlink, NETLINK_ROUTE, getLinkDumpRequest()])));
      const json = await lab.run(router, ['ip', '-j', 'neigh', 'show', 'nud', 'all']);
      const byIndex = valueOf(parseRtnetlinkNeighbours(dump));
      expect(byIndex.every((count) => typeof count.device === 'number')).toBe(true);
      expect(namedNeighbourCounts(byIndex, links)).toEqual(EXPECTED);
      expect(valueOf(parseIpNeighJson(json))).toEqual(EXPECTED);
    });

    test('without `nud all`, ip hides the NOARP and NUD_NONE entries (why the exec argv has it)', async () => {
      const hidden = valueOf(parseIpNeighJson(await lab.run(router, ['ip', '-j', 'neigh', 'show'])));
      expect(hidden).toEqual(EXPECTED.filter((c) => c.state !== 'noarp' && c.state !== 'none'));
    });
  },
);
