// parseCgroupIdentity over /proc/<pid>/cgroup as the runtimes lay it out. Two files are captured on
// this machine (test/fixtures/proc-cgroup, provenance in test/fixtures/SOURCES.md); the other lines
// are written in the path forms Docker, containerd, CRI-O and the kubelet document for their cgroup
// drivers (the ids are made up, the shapes are theirs), each as a v2 `0::` line unless said.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseCgroupIdentity, type CgroupIdentity } from '../../src/parsers/proc-cgroup.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/proc-cgroup/${name}`, import.meta.url), 'utf8');

const ID = '4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const UID = '8e1f0c3a-7b2d-4c55-8f0e-2a9c4d6b1e77';
const UID_ = UID.replaceAll('-', '_');
const none: CgroupIdentity = { containerId: '', podUid: '' };

const cases: { name: string; text: string; want: CgroupIdentity }[] = [
  {
    name: 'captured: a Podman container (cgroupfs manager, hybrid v1/v2 host)',
    text: fixture('podman-cgroupfs-v1-hybrid.txt'),
    want: { containerId: '445b1cafdd2c06a0229f736befe1574db406ad8a0a07634852fbc37cd99416b9', podUid: '' },
  },
  {
    name: "captured: this machine's sandbox process (32-hex memory cgroup, / elsewhere)",
    text: fixture('sandbox-process-v1-hybrid.txt'),
    want: none,
  },
  {
    name: 'Docker, cgroupfs driver, v1',
    text: `12:memory:/docker/${ID}\n11:pids:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`,
    want: { containerId: ID, podUid: '' },
  },
  { name: 'Docker, systemd driver', text: `0::/system.slice/docker-${ID}.scope\n`, want: { containerId: ID, podUid: '' } },
  {
    name: 'containerd (kubelet, systemd driver), burstable pod',
    text: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope\n`,
    want: { containerId: ID, podUid: UID },
  },
  {
    name: 'containerd (kubelet, cgroupfs driver), besteffort pod',
    text: `0::/kubepods/besteffort/pod${UID}/${ID}\n`,
    want: { containerId: ID, podUid: UID },
  },
  {
    name: 'guaranteed pod (no QoS level in the path), cgroupfs',
    text: `0::/kubepods/pod${UID}/${ID}\n`,
    want: { containerId: ID, podUid: UID },
  },
  {
    name: 'CRI-O, systemd driver',
    text: `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope\n`,
    want: { containerId: ID, podUid: UID },
  },
  {
    name: "CRI-O's conmon is not the container",
    text: `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-conmon-${ID}.scope\n`,
    want: none,
  },
  { name: 'Podman, systemd manager', text: `0::/machine.slice/libpod-${ID}.scope\n`, want: { containerId: ID, podUid: '' } },
  {
    name: 'hybrid: the v2 line wins over v1 lines',
    text: `4:memory:/docker/${'a'.repeat(64)}\n0::/system.slice/docker-${ID}.scope\n`,
    want: { containerId: ID, podUid: '' },
  },
  { name: 'a systemd service', text: '0::/system.slice/neutron-l3-agent.service\n', want: none },
  { name: 'a cgroup namespace that shows only /', text: '0::/\n', want: none },
  { name: 'an id of another length', text: `0::/docker/${ID.slice(0, 63)}\n`, want: none },
  { name: 'not a cgroup file at all', text: 'hello\n\x00\x01', want: none },
  { name: 'empty (the process exited while it was read)', text: '', want: none },
];

for (const c of cases) test(c.name, () => expect(parseCgroupIdentity(c.text)).toEqual(c.want));
