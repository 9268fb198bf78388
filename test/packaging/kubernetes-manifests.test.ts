// deploy/kubernetes: every core object validates against the Kubernetes schemas (kubernetes-models),
// the Prometheus Operator objects against a strict structural check of the fields they use, and the
// objects agree with each other and with the rest of the repository: selectors match labels, probes
// and monitors name a port that exists, the capabilities and /run/netns mount are the ones the
// podman test runs with, the version is package.json's, job="netns-exporter" as the alert rules
// expect, and the PrometheusRule carries exactly deploy/prometheus/netns-exporter.rules.yml.
// prometheusrule.yaml is `netns-exporter rules` output (test/alerts/rules-file.test.ts checks it).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { CONTAINER_CAPABILITIES } from './container-run.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const manifestDir = join(repoRoot, 'deploy/kubernetes');
const rulesPath = join(repoRoot, 'deploy/prometheus/netns-exporter.rules.yml');
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

// ---------------------------------------------------------------------------------------------
// A small strict shape checker for the Prometheus Operator CRDs (monitoring.coreos.com/v1), whose
// schemas kubernetes-models does not ship. It covers the fields these manifests use, with the
// types and patterns of the operator's CRDs, and rejects any key it does not know, so a misspelt
// field fails here instead of being dropped by the API server.
type Shape =
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly enum?: readonly string[] }
  | { readonly type: 'boolean' }
  | { readonly type: 'object'; readonly properties: Readonly<Record<string, Shape>>; readonly required?: readonly string[] }
  | { readonly type: 'map' } // string -> string (labels, annotations)
  | { readonly type: 'array'; readonly items: Shape; readonly minItems?: number };

const str = (pattern?: RegExp): Shape => ({ type: 'string', ...(pattern ? { pattern } : {}) });
const oneOf = (...values: string[]): Shape => ({ type: 'string', enum: values });
const obj = (properties: Record<string, Shape>, required: string[] = []): Shape => ({ type: 'object', properties, required });
const arr = (items: Shape, minItems = 0): Shape => ({ type: 'array', items, minItems });
const map: Shape = { type: 'map' };

// The operator's Duration pattern and label name pattern.
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
];
const relabeling = obj({
  sourceLabels: arr(str(LABEL_NAME)),
  separator: str(),
  targetLabel: str(),
  regex: str(),
  modulus: { type: 'string' },
  replacement: str(),
  action: oneOf(...RELABEL_ACTIONS, ...RELABEL_ACTIONS.map((a) => a[0]!.toUpperCase() + a.slice(1))),
});
const labelSelector = obj({
  matchLabels: map,
  matchExpressions: arr(
    obj({ key: str(), operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: arr(str()) }, ['key', 'operator']),
  ),
});
const namespaceSelector = obj({ any: { type: 'boolean' }, matchNames: arr(str()) });
const endpointFields = {
  port: str(),
  path: str(),
  scheme: oneOf('http', 'https'),
  interval: str(DURATION),
  scrapeTimeout: str(DURATION),
  honorLabels: { type: 'boolean' } as Shape,
  relabelings: arr(relabeling),
  metricRelabelings: arr(relabeling),
};
const metadata = obj({ name: str(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), namespace: str(), labels: map, annotations: map }, ['name']);
const monitoringObject = (kind: string, spec: Shape): Shape =>
  obj({ apiVersion: oneOf('monitoring.coreos.com/v1'), kind: oneOf(kind), metadata, spec }, ['apiVersion', 'kind', 'metadata', 'spec']);

const CRD_SHAPES: Record<string, Shape> = {
  ServiceMonitor: monitoringObject(
    'ServiceMonitor',
    obj(
      {
        jobLabel: str(),
        targetLabels: arr(str()),
        podTargetLabels: arr(str()),
        selector: labelSelector,
        namespaceSelector,
        endpoints: arr(obj(endpointFields), 1),
      },
      ['selector', 'endpoints'],
    ),
  ),
  PodMonitor: monitoringObject(
    'PodMonitor',
    obj(
      {
        jobLabel: str(),
        podTargetLabels: arr(str()),
        selector: labelSelector,
        namespaceSelector,
        podMetricsEndpoints: arr(obj(endpointFields), 1),
      },
      ['selector', 'podMetricsEndpoints'],
    ),
  ),
  PrometheusRule: monitoringObject(
    'PrometheusRule',
    obj({
      groups: arr(
        obj(
          {
            name: str(/^.+$/),
            interval: str(DURATION),
            rules: arr(
              obj(
                {
                  alert: str(),
                  record: str(),
                  expr: str(/\S/),
                  for: str(DURATION),
                  keep_firing_for: str(DURATION),
                  labels: map,
                  annotations: map,
                },
                ['expr'],
              ),
            ),
          },
          ['name'],
        ),
        1,
      ),
    }),
  ),
};

function checkShape(value: unknown, shape: Shape, path: string, errors: string[]): void {
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') errors.push(`${path}: must be a string`);
      else if (shape.pattern && !shape.pattern.test(value))
        errors.push(`${path}: ${JSON.stringify(value)} does not match ${shape.pattern}`);
      else if (shape.enum && !shape.enum.includes(value))
        errors.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${path}: must be a boolean`);
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) errors.push(`${path}: must be a map`);
      else for (const [key, item] of Object.entries(value)) if (typeof item !== 'string') errors.push(`${path}.${key}: must be a string`);
      return;
    case 'array':
      if (!Array.isArray(value)) errors.push(`${path}: must be a list`);
      else {
        if (value.length < (shape.minItems ?? 0)) errors.push(`${path}: needs at least ${shape.minItems} item(s)`);
        value.forEach((item, index) => checkShape(item, shape.items, `${path}[${index}]`, errors));
      }
      return;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${path}: must be an object`);
        return;
      }
      for (const key of shape.required ?? []) if (!(key in value)) errors.push(`${path}.${key}: required`);
      for (const [key, item] of Object.entries(value)) {
        const field = shape.properties[key];
        if (field === undefined) errors.push(`${path}.${key}: unknown field`);
        else checkShape(item, field, `${path}.${key}`, errors);
      }
  }
}

/** Problems of one Prometheus Operator object; empty when it is well-formed. */
function crdErrors(manifest: Record<string, unknown>): string[] {
  const shape = CRD_SHAPES[String(manifest.kind)];
  if (!shape) return [`no shape for kind ${String(manifest.kind)}`];
  const errors: string[] = [];
  checkShape(manifest, shape, String(manifest.kind), errors);
  return errors;
}

// ---------------------------------------------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed manifest: its shape is what these tests check
type Manifest = Record<string, any>;

function prometheusRuleFromRulesFile(): Manifest {
  const rules = parseYaml(readFileSync(rulesPath, 'utf8')) as { groups: unknown[] };
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'netns-exporter', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'netns-exporter' } },
    spec: { groups: rules.groups },
  };
}

/** Every object of every YAML file in deploy/kubernetes (multi-document files too), by file. */
function loadManifests(): Map<string, Manifest[]> {
  const byFile = new Map<string, Manifest[]>();
  for (const file of readdirSync(manifestDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()) {
    const documents = parseAllDocuments(readFileSync(join(manifestDir, file), 'utf8'));
    for (const document of documents) if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    byFile.set(
      file,
      documents.map((document) => document.toJS() as Manifest).filter((value) => value !== null),
    );
  }
  return byFile;
}

const manifests = loadManifests();
const all = [...manifests.values()].flat();
const only = (kind: string): Manifest => {
  const found = all.filter((manifest) => manifest.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in deploy/kubernetes, found ${found.length}`);
  return found[0] as Manifest;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

describe('deploy/kubernetes manifests', () => {
  const daemonSet = only('DaemonSet');
  const podSpec = daemonSet.spec.template.spec;
  const container = podSpec.containers[0];
  const podLabels = daemonSet.spec.template.metadata.labels as Record<string, string>;

  test('core objects validate against the Kubernetes schemas', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model's constructor takes the parsed manifest
    const models: Record<string, new (data: any) => { validate(): void }> = { DaemonSet, Service, ServiceAccount };
    const core = all.filter((manifest) => manifest.apiVersion !== 'monitoring.coreos.com/v1' && manifest.kind !== 'Kustomization');
    expect(core.map((manifest) => manifest.kind).sort()).toEqual(['DaemonSet', 'Service', 'ServiceAccount']);
    for (const manifest of core) {
      const Model = models[manifest.kind];
      expect(Model, manifest.kind).toBeDefined();
      expect(() => new Model!(manifest).validate(), manifest.kind).not.toThrow();
    }
  });

  test('the schema validation can fail: a wrong type or value is rejected', () => {
    const broken = structuredClone(daemonSet);
    broken.spec.template.spec.containers[0].volumeMounts[0].mountPropagation = 'HostToContainr';
    expect(() => new DaemonSet(broken).validate()).toThrow(/mountPropagation/);
    const wrongType = structuredClone(daemonSet);
    wrongType.spec.template.spec.containers[0].ports[0].containerPort = '9724';
    expect(() => new DaemonSet(wrongType).validate()).toThrow(/containerPort/);
  });

  test('Prometheus Operator objects are well-formed, and the check rejects an unknown field', () => {
    const operatorObjects = all.filter((manifest) => manifest.apiVersion === 'monitoring.coreos.com/v1');
    expect(operatorObjects.map((manifest) => manifest.kind).sort()).toEqual(['PodMonitor', 'PrometheusRule', 'ServiceMonitor']);
    for (const manifest of operatorObjects) expect(crdErrors(manifest), manifest.kind).toEqual([]);

    const misspelt = structuredClone(only('ServiceMonitor'));
    misspelt.spec.endpoints[0].scrapeInterval = '30s';
    expect(crdErrors(misspelt)).toEqual(['ServiceMonitor.spec.endpoints[0].scrapeInterval: unknown field']);
    const badDuration = structuredClone(only('PodMonitor'));
    badDuration.spec.podMetricsEndpoints[0].interval = '30 seconds';
    expect(crdErrors(badDuration)).toHaveLength(1);
  });

  test('the DaemonSet runs in the host network and PID namespaces with /run/netns propagated from the host', () => {
    expect(podSpec.hostNetwork).toBe(true);
    expect(podSpec.hostPID).toBe(true);
    expect(podSpec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const volume = podSpec.volumes.find((v: Manifest) => v.hostPath?.path === '/run/netns');
    expect(volume).toBeDefined();
    const mount = container.volumeMounts.find((m: Manifest) => m.name === volume.name);
    expect(mount).toMatchObject({ mountPath: '/run/netns', mountPropagation: 'HostToContainer' });
  });

  // Without the L3 agent's ha_confs there is no netns_router_ha_state, so split brain can never fire.
  // The mount sits at the flag's default (README, Flags), so the path inside the pod never changes;
  // only the hostPath does, per deployment (docs/install.md).
  const DEFAULT_HA_CONFS_DIR = '/var/lib/neutron/ha_confs';
  test("the DaemonSet mounts the L3 agent's ha_confs read-only where --neutron.ha-confs-dir points, without breaking nodes that lack it", () => {
    const flag = (container.args as string[]).find((arg) => arg.startsWith('--neutron.ha-confs-dir='));
    expect(flag, 'the DaemonSet names the HA state directory').toBe(`--neutron.ha-confs-dir=${DEFAULT_HA_CONFS_DIR}`);
    const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === DEFAULT_HA_CONFS_DIR);
    expect(mount, `a volume is mounted at ${DEFAULT_HA_CONFS_DIR}`).toBeDefined();
    expect(mount.readOnly).toBe(true);
    const volume = podSpec.volumes.find((v: Manifest) => v.name === mount.name);
    // DirectoryOrCreate: a node without an L3 agent gets an empty directory, not a pod stuck in ContainerCreating.
    expect(volume.hostPath).toEqual({ path: '/var/lib/neutron/ha_confs', type: 'DirectoryOrCreate' });
  });

  test('the container has exactly the capabilities the podman test runs with, and nothing privileged', () => {
    const security = container.securityContext;
    expect(security.privileged).toBe(false);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.capabilities.drop).toEqual(['ALL']);
    expect([...security.capabilities.add].sort()).toEqual([...CONTAINER_CAPABILITIES].sort());
    expect(security.runAsUser).toBe(0);
  });

  test('resources, probes on /healthz and the port agree with the listen address', () => {
    for (const kind of ['requests', 'limits']) {
      expect(container.resources[kind].cpu, kind).toBeDefined();
      expect(container.resources[kind].memory, kind).toBeDefined();
    }
    const listen = (container.args as string[]).find((arg) => arg.startsWith('--web.listen-address='));
    const listenPort = Number(listen?.split(':').at(-1));
    const metricsPort = container.ports.find((p: Manifest) => p.name === 'metrics');
    expect(metricsPort.containerPort).toBe(listenPort);
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe.httpGet.path).toBe('/healthz');
      expect([metricsPort.name, metricsPort.containerPort]).toContain(probe.httpGet.port);
    }
    const healthUrl = container.env.find((e: Manifest) => e.name === 'NETNS_EXPORTER_HEALTHCHECK_URL')?.value;
    expect(healthUrl).toBe(`http://127.0.0.1:${listenPort}/healthz`);
  });

  test('selectors match: DaemonSet -> pods, Service -> pods, ServiceMonitor -> Service, PodMonitor -> pods, and named ports exist', () => {
    expect(matches(daemonSet.spec.selector.matchLabels, podLabels)).toBe(true);
    const service = only('Service');
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe('metrics');

    const serviceMonitor = only('ServiceMonitor');
    expect(matches(serviceMonitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(serviceMonitor.spec.namespaceSelector.matchNames).toContain(service.metadata.namespace);
    const servicePortNames = service.spec.ports.map((p: Manifest) => p.name);
    for (const endpoint of serviceMonitor.spec.endpoints) expect(servicePortNames).toContain(endpoint.port);

    const podMonitor = only('PodMonitor');
    expect(matches(podMonitor.spec.selector.matchLabels, podLabels)).toBe(true);
    const containerPortNames = container.ports.map((p: Manifest) => p.name);
    for (const endpoint of podMonitor.spec.podMetricsEndpoints) expect(containerPortNames).toContain(endpoint.port);

    expect(podSpec.serviceAccountName).toBe(only('ServiceAccount').metadata.name);
  });

  test('scrapes get job="netns-exporter", the job the alert rules select', () => {
    // The operator sets job to the value of the jobLabel label: of the Service for a
    // ServiceMonitor, of the pod for a PodMonitor.
    const service = only('Service');
    expect(service.metadata.labels[only('ServiceMonitor').spec.jobLabel]).toBe('netns-exporter');
    expect(podLabels[only('PodMonitor').spec.jobLabel]).toBe('netns-exporter');
    expect(readFileSync(rulesPath, 'utf8')).toContain('job="netns-exporter"');
  });

  test("the version is package.json's everywhere: labels and the kustomize image tag", () => {
    expect(daemonSet.metadata.labels['app.kubernetes.io/version']).toBe(packageVersion);
    expect(podLabels['app.kubernetes.io/version']).toBe(packageVersion);
    const kustomization = only('Kustomization');
    expect(kustomization.images).toEqual([expect.objectContaining({ name: container.image.split(':')[0], newTag: packageVersion })]);
    expect(container.image).toBe(`netns-exporter:${packageVersion}`);
  });

  test('kustomization.yaml lists every manifest but the PodMonitor alternative', () => {
    const kustomization = only('Kustomization');
    const files = [...manifests.keys()].filter((file) => file !== 'kustomization.yaml' && file !== 'podmonitor.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  test('the PrometheusRule carries exactly the alert rules of deploy/prometheus', () => {
    expect(only('PrometheusRule').spec).toEqual(prometheusRuleFromRulesFile().spec);
  });
});
