// The unit tier (`npm run test:unit`): tests that need no root, no external tool (ip, iptables, nft,
// prometheus/promtool, podman, systemd-analyze, openssl), no built addon and no build of dist/, and
// together run in well under a minute. `npm test` still runs everything (vitest.config.ts).
//
// An explicit list, so that a new test is a kernel/tool test until someone decides otherwise;
// test/unit-tier.test.ts fails when a file listed here imports a root- or tool-only helper.
import { defineConfig } from 'vitest/config';

export const unitTestFiles = [
  'test/alerts/config-overrides.test.ts',
  'test/alerts/rules-file.test.ts',
  'test/architecture/layering.test.ts',
  'test/cli/readme-flags.test.ts',
  'test/collectors/declarations.test.ts',
  'test/collectors/neutron-ha-history.test.ts',
  'test/collectors/processes.test.ts',
  'test/collectors/sample-collector.test.ts',
  'test/dashboards/dashboard-conventions.test.ts',
  'test/dashboards/dashboards.test.ts',
  'test/dashboards/queries.test.ts',
  'test/discovery/netns-kind.test.ts',
  'test/exporter/two-exporters.test.ts',
  'test/host/host-file.test.ts',
  'test/docs/metrics-doc.test.ts',
  'test/exposition/holder-labels.test.ts',
  'test/exposition/parallel-gzip.test.ts',
  'test/exposition/text-format.test.ts',
  'test/labels/labels-file.test.ts',
  'test/model/durations.test.ts',
  'test/on-node/resolve-router.test.ts',
  'test/on-node/top-table.test.ts',
  'test/on-node/verdicts.test.ts',
  'test/native/netlink-parsers.test.ts',
  'test/native/unpack-jobs.test.ts',
  'test/packaging/kubernetes-manifests.test.ts',
  'test/parsers/carrier-changes.test.ts',
  'test/parsers/ip-link-json.test.ts',
  'test/parsers/neighbours.test.ts',
  'test/parsers/tc.test.ts',
  'test/parsers/neutron-ha-state.test.ts',
  'test/parsers/proc-cgroup.test.ts',
  'test/parsers/proc-cmdline.test.ts',
  'test/parsers/nf-conntrack-stat.test.ts',
  'test/parsers/proc-integer.test.ts',
  'test/parsers/proc-net-dev.test.ts',
  'test/parsers/proc-net-snmp.test.ts',
  'test/parsers/proc-net-sockstat.test.ts',
  'test/pipeline/collection-plan.test.ts',
  'test/pipeline/conntrack-stat-refill.test.ts',
  'test/pipeline/ha-history.test.ts',
  'test/pipeline/interfaces-refill.test.ts',
  'test/pipeline/neighbours-refill.test.ts',
  'test/pipeline/iptables-refill.test.ts',
  'test/pipeline/keeps-no-views.test.ts',
  'test/pipeline/netstat-files.test.ts',
  'test/pipeline/pipeline.test.ts',
  'test/pipeline/reading-shape.test.ts',
  'test/pipeline/single-flight.test.ts',
  'test/pipeline/text-refill.test.ts',
  'test/readers/exec/classify-failure.test.ts',
  'test/readers/exec/framed-output.test.ts',
  'test/unit-tier.test.ts',
  'test/web-config/basic-auth.test.ts',
  'test/web-config/load-web-config.test.ts',
];

export default defineConfig({
  test: {
    include: unitTestFiles,
    // nothing here touches the kernel or the machine's namespaces, so files may run in parallel
    fileParallelism: true,
    testTimeout: 60_000,
  },
});
