// commandNameOf over command lines as /proc/<pid>/cmdline holds them (NUL-separated, usually with a
// trailing NUL). The Neutron ones are the forms its agents start (neutron/agent/linux/external_process.py
// runs `haproxy -f <conf>`, `dnsmasq --no-hosts ...`; the L3 agent's keepalived and its
// neutron-keepalived-state-change console script); the real processes are checked in
// test/integration/processes.test.ts.
import { expect, test } from 'vitest';
import { commandNameOf } from '../../src/parsers/proc-cmdline.js';

const argv = (...args: string[]) => `${args.join('\0')}\0`;

const cases: { name: string; cmdline: string; command: string | undefined }[] = [
  {
    name: 'a program by path',
    cmdline: argv('/usr/sbin/haproxy', '-Ws', '-f', '/var/lib/neutron/ns-metadata-proxy/x.conf'),
    command: 'haproxy',
  },
  { name: 'a program by name', cmdline: argv('dnsmasq', '--no-hosts', '--pid-file=/var/lib/neutron/dhcp/x/pid'), command: 'dnsmasq' },
  {
    name: 'a console script run through its #! line',
    cmdline: argv('/usr/bin/python3', '/usr/bin/neutron-keepalived-state-change', '--router_id=5d2c8b7e', '--namespace=qrouter-5d2c8b7e'),
    command: 'neutron-keepalived-state-change',
  },
  { name: 'interpreter options before the script', cmdline: argv('/usr/bin/python3.11', '-u', '-O', '/opt/neutron/bin/x'), command: 'x' },
  { name: 'python -m: no script file, the interpreter', cmdline: argv('python3', '-m', 'http.server'), command: 'python3' },
  { name: 'python -c: no script file, the interpreter', cmdline: argv('python3', '-c', 'import time'), command: 'python3' },
  { name: 'an interpreter alone', cmdline: argv('/bin/sh'), command: 'sh' },
  { name: 'no trailing NUL (argv rewritten by the process)', cmdline: 'keepalived -D', command: 'keepalived -D' },
  { name: 'empty: a kernel thread or a zombie', cmdline: '', command: undefined },
  { name: 'argv[0] ending in a slash', cmdline: argv('/usr/bin/'), command: undefined },
];

for (const c of cases) test(c.name, () => expect(commandNameOf(c.cmdline)).toBe(c.command));
