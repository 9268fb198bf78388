// The command a process runs, from its /proc/<pid>/cmdline (arguments separated by NUL bytes): the
// base name of argv[0], or, when argv[0] is an interpreter (python3, perl, sh...), of the first
// argument that is no option, which is the script. Pure; `undefined` for an empty command line (a
// kernel thread, a zombie, or a process that cleared its arguments).

import { INTERPRETER } from '../model/records/processes.js';

export function commandNameOf(cmdline: string): string | undefined {
  const args = cmdline.split('\0');
  const first = baseName(args[0] ?? '');
  if (first === '') return undefined;
  if (!INTERPRETER.test(first)) return first;
  // `python3 -u /usr/bin/x`: options before the script; `python3 -c code` or `-m module` has no script file
  for (let i = 1; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-m') return first;
    if (arg === '' || arg.startsWith('-')) continue;
    return baseName(arg) || first;
  }
  return first;
}

/** After the last '/'; a process may set its argv[0] to anything, a path or not. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
