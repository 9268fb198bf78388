// A small, strict reader of the Prometheus text format for tests: series with unescaped labels.
// Independent of src/exposition so tests do not check the writer with itself.

export interface ParsedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export function parseExposition(text: string): ParsedSeries[] {
  const series: ParsedSeries[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`line ${index + 1}: no metric name: ${line}`);
    const name = nameMatch[0];
    let at = name.length;
    const labels: Record<string, string> = {};
    if (line[at] === '{') {
      at++;
      while (line[at] !== '}') {
        const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
        if (!labelMatch) throw new Error(`line ${index + 1}: bad label at ${at}: ${line}`);
        at += labelMatch[0].length;
        let value = '';
        for (;;) {
          const ch = line[at];
          if (ch === undefined) throw new Error(`line ${index + 1}: unterminated label value`);
          if (ch === '"') break;
          if (ch === '\\') {
            const next = line[at + 1];
            if (next === 'n') value += '\n';
            else if (next === '\\' || next === '"') value += next;
            else throw new Error(`line ${index + 1}: bad escape \\${next}`);
            at += 2;
            continue;
          }
          value += ch;
          at++;
        }
        at++; // closing quote
        if (labelMatch[1] === undefined || labelMatch[1] in labels) throw new Error(`line ${index + 1}: duplicate label`);
        labels[labelMatch[1]] = value;
        if (line[at] === ',') at++;
      }
      at++;
    }
    if (line[at] !== ' ') throw new Error(`line ${index + 1}: no space before value: ${line}`);
    const value = Number(
      line
        .slice(at + 1)
        .replace('+Inf', 'Infinity')
        .replace('-Inf', '-Infinity'),
    );
    series.push({ name, labels, value });
  }
  return series;
}

/** The series of one metric whose labels include all of `match`. */
export function select(series: readonly ParsedSeries[], name: string, match: Record<string, string> = {}): ParsedSeries[] {
  return series.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The value of exactly one matching series; throws when there are none or several. */
export function valueOf(series: readonly ParsedSeries[], name: string, match: Record<string, string>): number {
  const found = select(series, name, match);
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(match)}: ${found.length} series`);
  return (found[0] as ParsedSeries).value;
}
