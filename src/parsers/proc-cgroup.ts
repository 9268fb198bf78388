// The container and Kubernetes pod a process belongs to, from its /proc/<pid>/cgroup: lines of
// `hierarchy-ID:controllers:path` (cgroup(7)), one `0::<path>` on cgroup v2, one per hierarchy on v1.
// Container runtimes name a container's cgroup after its 64-hex id, and the kubelet a pod's after its
// UID (`pod<uid>`, with '_' for '-' under the systemd driver). The path forms recognised, as the
// runtimes document them:
//   Docker            /docker/<id> (cgroupfs driver), /system.slice/docker-<id>.scope (systemd)
//   containerd (CRI)  /kubepods/<qos>/pod<uid>/<id>, /kubepods.slice/.../kubepods-<qos>-pod<uid>.slice/cri-containerd-<id>.scope
//   CRI-O             the same pod paths, crio-<id>.scope (systemd) or <id> (cgroupfs)
//   Podman            /libpod_parent/libpod-<id> (cgroupfs), /machine.slice/libpod-<id>.scope (systemd)
// Pure; a path of another form (a systemd service, a cgroup namespace that shows only `/`) gives
// empty strings, never an error.

/** A process's container and pod; an empty string where its cgroup path does not say. */
export interface CgroupIdentity {
  /** The runtime's 64-hex container id (for a pod's sandbox, the sandbox's: the pause container). */
  readonly containerId: string;
  /** The Kubernetes pod UID, with dashes. */
  readonly podUid: string;
}

const CONTAINER_ID = /(?:^|\/)(?:docker-|cri-containerd-|crio-|libpod-)?([0-9a-f]{64})(?:\.scope)?$/;
// conmon (CRI-O's and Podman's monitor) is not the container; its cgroup names the container's id
const MONITOR = /(?:^|\/)(?:crio-conmon-|libpod-conmon-)[0-9a-f]{64}(?:\.scope)?$/;
const POD_UID = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?:\/|$)/;

const UNKNOWN: CgroupIdentity = Object.freeze({ containerId: '', podUid: '' });

export function parseCgroupIdentity(text: string): CgroupIdentity {
  // the unified (v2) line first: on a hybrid host it is the one systemd and the runtimes keep current
  const paths = text
    .split('\n')
    .map((line) => /^(\d+):[^:]*:(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => (a[1] === '0' ? -1 : b[1] === '0' ? 1 : 0))
    .map((match) => (match[2] ?? '').replace(/\/$/, ''));
  for (const path of paths) {
    if (MONITOR.test(path)) continue;
    const containerId = CONTAINER_ID.exec(path)?.[1];
    if (containerId === undefined) continue;
    const podUid = POD_UID.exec(path)?.[1]?.replaceAll('_', '-') ?? '';
    return { containerId, podUid };
  }
  return UNKNOWN;
}
