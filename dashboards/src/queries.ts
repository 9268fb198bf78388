// Lists every PromQL expression of a dashboard (panel targets and template variable queries) with the
// variables filled in, so that tests can run each one against a real Prometheus.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** One PromQL expression and where it comes from (`<panel title> [<refId>]` or `variable $<name>`). */
export interface DashboardQuery {
  readonly panel: string;
  readonly expr: string;
}

/**
 * Grafana's built-in interval variables, with values that suit a Prometheus scraping every few
 * seconds. Callers override them through `vars` (for a 1 s scrape, `__rate_interval` of 4s or more).
 */
export const BUILT_IN_VARIABLE_DEFAULTS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/**
 * Every PromQL expression of `board`, variables substituted: `$name` and `${name}` take the value in
 * `vars` (already formatted as Grafana would, e.g. `(a|b)` for several values); a variable with an
 * "All" option that `vars` leaves out takes its all-value. Variable queries in Grafana's
 * `label_values(selector, label)` form become `group by (label) (selector)`, which returns one
 * series per value. Throws on a variable that has no value, so a forgotten one cannot pass silently.
 */
export function listDashboardQueries(board: dashboard.Dashboard, vars: Record<string, string>): DashboardQuery[] {
  const values = variableValues(board, vars);
  const queries: DashboardQuery[] = [];
  for (const variable of board.templating.list ?? []) {
    if (variable.type !== 'query' || variable.query === undefined) continue;
    const where = `variable $${variable.name}`;
    queries.push({ panel: where, expr: substitute(variableQueryToPromql(variableQueryText(variable.query), where), values, where) });
  }
  for (const panel of allPanels(board)) {
    for (const target of panel.targets ?? []) {
      const { expr, refId, hide } = target as { expr?: unknown; refId?: unknown; hide?: unknown };
      if (typeof expr !== 'string' || hide === true) continue;
      const where = `${panel.title ?? `panel ${panel.id ?? '?'}`} [${String(refId)}]`;
      queries.push({ panel: where, expr: substitute(expr, values, where) });
    }
  }
  return queries;
}

/** Panels in reading order, including those inside collapsed rows; rows themselves have no queries. */
export function allPanels(board: dashboard.Dashboard): dashboard.Panel[] {
  const panels: dashboard.Panel[] = [];
  for (const panel of board.panels ?? []) {
    if (panel.type === 'row') panels.push(...(panel as dashboard.RowPanel).panels);
    else panels.push(panel);
  }
  return panels;
}

function variableValues(board: dashboard.Dashboard, vars: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>(Object.entries(BUILT_IN_VARIABLE_DEFAULTS));
  for (const variable of board.templating.list ?? []) {
    if (variable.includeAll && variable.allValue !== undefined) values.set(variable.name, variable.allValue);
  }
  for (const [name, value] of Object.entries(vars)) values.set(name, value);
  return values;
}

// Grafana stores a Prometheus variable query either as the bare string or as an object holding it.
function variableQueryText(query: string | Record<string, unknown>): string {
  if (typeof query === 'string') return query;
  if (typeof query.query === 'string') return query.query;
  throw new Error(`variable query without a query string: ${JSON.stringify(query)}`);
}

function variableQueryToPromql(query: string, where: string): string {
  const text = query.trim();
  // Greedy `.*` puts the split at the last comma; the selector's own commas sit inside braces before it.
  const labelValues = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s.exec(text);
  if (labelValues) return `group by (${labelValues[2]}) (${labelValues[1]!.trim()})`;
  const queryResult = /^query_result\((.+)\)$/s.exec(text);
  if (queryResult) return queryResult[1]!.trim();
  if (/^(label_values|label_names|metrics)\(/.test(text)) {
    throw new Error(`${where}: "${text}" has no PromQL equivalent; give label_values a selector`);
  }
  return text;
}

function substitute(expr: string, values: ReadonlyMap<string, string>, where: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (reference: string, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    // `$1` in label_replace is a regex group, not a variable; Grafana leaves unknown names alone too.
    if (/^\d+$/.test(name)) return reference;
    const value = values.get(name);
    if (value === undefined) {
      throw new Error(`${where}: no value for dashboard variable ${reference} (pass it in vars)`);
    }
    return value;
  });
}
