// What `netns-exporter inspect` reports about one namespace: the shape of its JSON output
// (`--output json`, documented in docs/on-the-node.md and kept stable: fields are only ever added)
// and what the text report is rendered from. Rates are per second over `intervalSeconds`; an
// `increase` is how much the counter went up between the two reads.

import type { Severity } from '../alerting/config.js';

export const INSPECT_FORMAT = 'netns-exporter/inspect/v1';

export interface NamespaceIdentity {
  readonly name: string;
  /** qrouter, qdhcp, snat, fip, qlbaas, ovnmeta, host or other. */
  readonly kind: string;
  /** What follows the Neutron prefix (the router or network id); empty for other kinds. */
  readonly id: string;
  /** Labels from --netns.labels-file (project, router_name, ...). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Verdict {
  /** Stable identifier of the check: gateway-down, gateway-unreachable, internal-port-down, interface-errors, port-drops, conntrack-full, conntrack-drops, neighbour-failures, ha-fault, collector-failed. */
  readonly check: string;
  readonly severity: Severity;
  /** The shipped alert this verdict mirrors (its threshold is the one used), when there is one. */
  readonly alert?: string;
  /** The interface it is about, when it is about one. */
  readonly device?: string;
  /** One line: what is wrong, with the evidence (values and thresholds). */
  readonly summary: string;
}

export interface InterfaceReport {
  readonly device: string;
  /** As `ip link` prints it, upper case whichever backend read it (UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ...); absent when the link attributes were not read. */
  readonly operstate?: string;
  readonly mtu?: number;
  /** The hardware address. */
  readonly address?: string;
  /** Per second, by /proc/net/dev counter: receive_bytes, receive_packets, receive_errs, receive_drop, receive_fifo, receive_frame, receive_compressed, receive_multicast, transmit_bytes, transmit_packets, transmit_errs, transmit_drop, transmit_fifo, transmit_colls, transmit_carrier, transmit_compressed. */
  readonly rate: Readonly<Record<string, number>>;
  /** The same counters' increase over the interval. */
  readonly increase: Readonly<Record<string, number>>;
}

export interface NeighbourReport {
  readonly device: string;
  /** ipv4 or ipv6. */
  readonly family: string;
  /** NUD state: reachable, stale, delay, probe, failed, incomplete, permanent, noarp, none. */
  readonly state: string;
  /** Entries at the second read. */
  readonly entries: number;
  /** Entries at the first read. */
  readonly entriesBefore: number;
}

export interface CounterReport {
  /** netstat: the Proto_Field name (Ip_ForwDatagrams); conntrack: the statistic (drop, insert_failed, ...). */
  readonly name: string;
  readonly rate: number;
  readonly increase: number;
  /** The counter at the second read. */
  readonly value: number;
}

export interface ConntrackReport {
  readonly entries?: number;
  readonly limit?: number;
  /** entries / limit, when both are known and the limit is not 0. */
  readonly use?: number;
  /** conntrack statistics (netns_nf_conntrack_stat_*_total) as rates. */
  readonly stats: readonly CounterReport[];
}

export interface RuleReport {
  /** nft or legacy. */
  readonly backend: string;
  /** ipv4 or ipv6. */
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** 1-based position in the chain; null for the chain's policy. */
  readonly position: number | null;
  /** The rule's target (or the chain's policy). */
  readonly target: string;
  readonly comment: string;
  readonly packetsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Packets matched in the interval. */
  readonly packets: number;
  readonly bytes: number;
}

export interface FailureReport {
  readonly collector: string;
  /** vanished, enter-denied, timeout, tool-failed, parse, ... */
  readonly kind: string;
  readonly detail: string;
}

export interface InspectReport {
  readonly format: typeof INSPECT_FORMAT;
  readonly namespace: NamespaceIdentity;
  /** Measured seconds between the two reads. */
  readonly intervalSeconds: number;
  /** exec or native. */
  readonly backend: string;
  /** Empty when nothing is wrong (exit status 0); otherwise exit status 1. */
  readonly verdicts: readonly Verdict[];
  /** This host's Neutron L3 HA role for the router (primary, backup, fault, unknown); absent for a router without HA state here. */
  readonly haState?: string;
  readonly interfaces: readonly InterfaceReport[];
  readonly neighbours: readonly NeighbourReport[];
  readonly netstat: readonly CounterReport[];
  readonly conntrack: ConntrackReport;
  readonly rules: {
    /** The rules with the most packets in the interval (at most 10, only those that matched). */
    readonly busiest: readonly RuleReport[];
    /** Every DROP or REJECT rule, and every built-in chain with a DROP policy, that matched in the interval. */
    readonly dropped: readonly RuleReport[];
    /** Every rule of the nat table with a SNAT, DNAT, MASQUERADE or REDIRECT target, busiest first. */
    readonly nat: readonly RuleReport[];
  };
  readonly failures: readonly FailureReport[];
}
