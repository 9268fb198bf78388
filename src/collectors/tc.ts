// Traffic control per namespace: the counters of every qdisc (node_exporter's qdisc collector, our
// prefix, per namespace: a tbf or htb Neutron QoS puts on a qg- port) and those of the actions of
// ingress filters (the police action of an ingress bandwidth limit): "my floating IP is slow" is
// answered by their drops and overlimits. No qdisc or filter: no series; nor for noqueue, which
// never counts.

import { family } from '../model/snapshot.js';
import { tcSource } from '../sources/tc.js';
import { defineCollector } from './collector.js';
import { DEVICE_FLAGS, deviceOptions } from './interfaces.js';

const QDISC_LABELS = ['netns', 'device', 'kind', 'handle', 'parent'];
const ACTION_LABELS = ['netns', 'device', 'parent', 'pref', 'kind', 'handle', 'action', 'order'];

const qdiscBytes = family('netns_qdisc_bytes_total', 'counter', 'Bytes sent by the qdisc (tc -s qdisc "Sent ... bytes").', QDISC_LABELS);
const qdiscPackets = family('netns_qdisc_packets_total', 'counter', 'Packets sent by the qdisc.', QDISC_LABELS);
const qdiscDrops = family('netns_qdisc_drops_total', 'counter', 'Packets the qdisc dropped.', QDISC_LABELS);
const qdiscRequeues = family('netns_qdisc_requeues_total', 'counter', 'Packets the qdisc requeued.', QDISC_LABELS);
const qdiscOverlimits = family(
  'netns_qdisc_overlimits_total',
  'counter',
  'Times the qdisc found itself over its limit (throttled or dropped a packet).',
  QDISC_LABELS,
);
const qdiscBacklog = family('netns_qdisc_backlog', 'gauge', 'Bytes queued in the qdisc now.', QDISC_LABELS);
const qdiscQueueLength = family('netns_qdisc_current_queue_length', 'gauge', 'Packets queued in the qdisc now.', QDISC_LABELS);

const actionPackets = family(
  'netns_tc_action_packets_total',
  'counter',
  'Packets an action of an ingress tc filter saw (kind: the classifier; action: police, mirred, ...; parent, pref and handle identify the filter as tc prints them).',
  ACTION_LABELS,
);
const actionDrops = family(
  'netns_tc_action_drops_total',
  'counter',
  'Packets an action of an ingress tc filter dropped (police: over the rate limit with "drop").',
  ACTION_LABELS,
);
const actionOverlimits = family(
  'netns_tc_action_overlimits_total',
  'counter',
  'Times an action of an ingress tc filter was over its limit (police: packets beyond the rate and burst).',
  ACTION_LABELS,
);

export const tcCollector = defineCollector({
  name: 'tc',
  description: 'Traffic control: qdisc counters and ingress filter action (police) counters (tc -s qdisc/filter)',
  defaultEnabled: false,
  flags: DEVICE_FLAGS,
  options: deviceOptions,
  families: [
    qdiscBytes,
    qdiscPackets,
    qdiscDrops,
    qdiscRequeues,
    qdiscOverlimits,
    qdiscBacklog,
    qdiscQueueLength,
    actionPackets,
    actionDrops,
    actionOverlimits,
  ],
  sources: () => [tcSource],
  collect({ ns, options, intern }, input, out) {
    const table = input(tcSource);
    if (table === undefined) return;
    for (const q of table.qdiscs) {
      // noqueue (the default of veths, loopback and most virtual devices) has no queue and counts
      // nothing: seven zeros per device, on every port of every router, would say nothing
      if (q.kind === 'noqueue' || !options.deviceFilter(q.device)) continue;
      const labels = [ns.name, q.device, intern(q.kind), intern(q.handle), intern(q.parent)];
      out.counter(qdiscBytes, labels, q.bytes, tcSource, undefined);
      out.counter(qdiscPackets, labels, q.packets, tcSource, undefined);
      out.counter(qdiscDrops, labels, q.drops, tcSource, undefined);
      out.counter(qdiscRequeues, labels, q.requeues, tcSource, undefined);
      out.counter(qdiscOverlimits, labels, q.overlimits, tcSource, undefined);
      out.gauge(qdiscBacklog, labels, q.backlog);
      out.gauge(qdiscQueueLength, labels, q.qlen);
    }
    for (const a of table.actions) {
      if (!options.deviceFilter(a.device)) continue;
      const labels = [
        ns.name,
        a.device,
        intern(a.parent),
        String(a.pref),
        intern(a.filterKind),
        a.handle,
        intern(a.action),
        String(a.order),
      ];
      out.counter(actionPackets, labels, a.packets, tcSource, undefined);
      out.counter(actionDrops, labels, a.drops, tcSource, undefined);
      out.counter(actionOverlimits, labels, a.overlimits, tcSource, undefined);
    }
  },
});
