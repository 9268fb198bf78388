// How the container is run, in one place: the podman test runs it this way, and the Kubernetes
// test checks that the DaemonSet asks for the same capabilities and mount.

/** Capabilities of the container (uid 0, everything else dropped); each is shown needed in docs/install.md. */
export const CONTAINER_CAPABILITIES = ['SYS_ADMIN', 'NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'] as const;

/** The run line of the Dockerfile's comment and docs/install.md, as podman/docker options. */
export const CONTAINER_RUN_OPTIONS: readonly string[] = [
  '--network=host',
  '--pid=host',
  // rslave: a namespace `ip netns add` mounts on the host later appears inside too.
  '--volume=/run/netns:/run/netns:ro,rslave',
  '--cap-drop=ALL',
  `--cap-add=${CONTAINER_CAPABILITIES.join(',')}`,
  '--security-opt=no-new-privileges',
  '--read-only',
];
