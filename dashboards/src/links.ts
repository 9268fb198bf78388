// Drill-down from the fleet overview to the tenant router dashboard, for router namespaces only.
//
// Tables need per-column links that read the row's cells, `${__data.fields.<column>}`: Grafana leaves
// `${__field.labels.*}` empty for table-format data. Time series carry their labels, so
// `${__field.labels.*}` works there, but the link is put only on series whose name starts with a
// router namespace (qrouter-, snat-): a qdhcp, fip or host series would open an empty router view.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { UID } from './dashboard-frame.js';

const ROUTER_DASHBOARD = `/d/${UID.tenantRouter}/network-namespaces-tenant-router?\${datasource:queryparam}&\${cluster:queryparam}&\${job:queryparam}&var-project=$__all`;

/** Display names (legends) of router series start with their namespace. */
export const ROUTER_SERIES_REGEX = '^(qrouter|snat)-.*';

/** The column of table rows that carries the router id (only router namespaces have one). */
export const ROUTER_COLUMN = 'router_id';

/** For a time series override matching ROUTER_SERIES_REGEX: opens the series' router on its host. */
export function routerSeriesLinks(): dashboard.DynamicConfigValue[] {
  return [
    {
      id: 'links',
      value: [
        {
          title: 'Open router ${__field.labels.router_name} (${__field.labels.router_id}) on ${__field.labels.instance}',
          url: `${ROUTER_DASHBOARD}&var-router=\${__field.labels.router_id}&var-instance=\${__field.labels.instance}&\${__url_time_range}`,
        },
      ],
    },
  ];
}

/**
 * For the ROUTER_COLUMN of a table: opens the row's router, on the row's host when the table has an
 * `instance` column, else on every host that carries it.
 */
export function routerTableLinks(withInstance: boolean): dashboard.DynamicConfigValue[] {
  const instance = withInstance ? '${__data.fields.instance}' : '$__all';
  return [
    {
      id: 'links',
      value: [
        {
          title: 'Open router ${__data.fields.router_id} in the tenant router dashboard',
          url: `${ROUTER_DASHBOARD}&var-router=\${__data.fields.router_id}&var-instance=${instance}&\${__url_time_range}`,
        },
      ],
    },
  ];
}
