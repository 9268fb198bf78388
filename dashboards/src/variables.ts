// Template variables shared by the dashboards. Queries use Grafana's `label_values(selector, label)`
// form; `listDashboardQueries` turns them into plain PromQL for tests against a real Prometheus.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.js';

/** The Prometheus to read from; every panel and query refers to it as `${datasource}`. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .description('Prometheus that scrapes netns-exporter.')
    .type('prometheus');
}

/**
 * The scrape job of the exporter. Needed because Prometheus' own `up` and `scrape_duration_seconds`
 * carry no netns_ prefix; listing it from `netns_exporter_build_info` means no job name is hard-coded.
 */
export function jobVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('job')
    .label('Job')
    .description('Prometheus job that scrapes netns-exporter.')
    .datasource(DATASOURCE)
    .query('label_values(netns_exporter_build_info{cluster=~"$cluster"}, job)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/**
 * The mixins' multi-cluster convention: a `cluster` label (an external label per Prometheus, kept by
 * federation, Thanos or Mimir). "All" is `.*`, which also matches series without the label, so a
 * single Prometheus needs nothing.
 */
export function clusterVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('cluster')
    .label('Cluster')
    .description('The `cluster` label of the series, when several Prometheus servers feed this data source.')
    .datasource(DATASOURCE)
    .query('label_values(netns_exporter_build_info, cluster)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .includeAll(true)
    .allValue('.*');
}

/** A query variable over the values of one label; `includeAll` renders "All" as `.*`. */
export function labelValuesVariable(
  name: string,
  label: string,
  description: string,
  query: string,
  options: { readonly multi?: boolean; readonly includeAll?: boolean } = {},
): dashboard.QueryVariableBuilder {
  const variable = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.NaturalAsc)
    .multi(options.multi ?? false)
    .includeAll(options.includeAll ?? false);
  // ".*" rather than Grafana's default list of every value: it also matches series without the
  // label (a fleet without a labels file) and keeps the query short on big fleets.
  return options.includeAll ? variable.allValue('.*') : variable;
}
