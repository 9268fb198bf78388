// Splits the read script's stdout (format documented on READ_SCRIPT) back into one section per
// read. Pure: bytes in, sections out.

/** One read's framed output; present only when its end marker arrived. */
export interface Section {
  /** The tool's stdout exactly as written (the newline the script adds before the next marker is removed). */
  readonly data: Buffer;
  /** The tool's stderr, trailing newlines stripped by the shell. */
  readonly stderr: string;
  /** Exit status as a decimal string, `absent` (nothing to read) or `unknown` (a read the script did not understand). */
  readonly status: string;
}

export interface FramedOutput {
  /** The script started inside the namespace (nsenter got that far). */
  readonly ready: boolean;
  /** Completed sections by read name, in argument order; a read missing here never finished. */
  readonly sections: ReadonlyMap<string, Section>;
  /** The script ran to its end. */
  readonly done: boolean;
}

/**
 * Sections are parsed in argument order and parsing stops at the first one that is cut short (the
 * read was killed or ran out of buffer), so a section is only reported when all of it arrived.
 * Marker lines are recognised only as a whole and at the position where they must be: tool output
 * cannot contain the nonce, so a search for the full marker cannot stop inside tool output.
 */
export function splitFramedOutput(stdout: Buffer, nonce: string, names: readonly string[]): FramedOutput {
  const sections = new Map<string, Section>();
  const readyMarker = Buffer.from(`${nonce} ready\n`);
  if (!startsWithAt(stdout, readyMarker, 0)) return { ready: false, sections, done: false };
  let cursor = readyMarker.length;

  for (const name of names) {
    const begin = Buffer.from(`${nonce} begin ${name}\n`);
    if (!startsWithAt(stdout, begin, cursor)) return { ready: true, sections, done: false };
    const dataStart = cursor + begin.length;

    const stderrMarker = Buffer.from(`\n${nonce} stderr ${name}\n`);
    const dataEnd = stdout.indexOf(stderrMarker, dataStart);
    if (dataEnd < 0) return { ready: true, sections, done: false };
    const stderrStart = dataEnd + stderrMarker.length;

    const endMarker = Buffer.from(`\n${nonce} end ${name} `);
    const stderrEnd = stdout.indexOf(endMarker, stderrStart);
    if (stderrEnd < 0) return { ready: true, sections, done: false };
    const statusStart = stderrEnd + endMarker.length;
    const statusEnd = stdout.indexOf(0x0a, statusStart);
    if (statusEnd < 0) return { ready: true, sections, done: false };

    sections.set(name, {
      data: stdout.subarray(dataStart, dataEnd),
      stderr: stdout.toString('utf8', stderrStart, stderrEnd),
      status: stdout.toString('latin1', statusStart, statusEnd),
    });
    cursor = statusEnd + 1;
  }
  const done = startsWithAt(stdout, Buffer.from(`${nonce} done\n`), cursor);
  return { ready: true, sections, done };
}

function startsWithAt(haystack: Buffer, needle: Buffer, offset: number): boolean {
  return haystack.length - offset >= needle.length && haystack.compare(needle, 0, needle.length, offset, offset + needle.length) === 0;
}
