// The dashboards this project ships, and how each is written to its committed JSON file.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildFleetOverviewDashboard } from './fleet-overview.js';
import { buildTenantRouterDashboard } from './tenant-router.js';

export { buildFleetOverviewDashboard } from './fleet-overview.js';
export { buildTenantRouterDashboard } from './tenant-router.js';
export { listDashboardQueries, type DashboardQuery } from './queries.js';

/** A generated dashboard and its file name under `dashboards/`. */
export interface ShippedDashboard {
  readonly file: string;
  readonly build: () => dashboard.Dashboard;
}

export const SHIPPED_DASHBOARDS: readonly ShippedDashboard[] = [
  { file: 'netns-fleet-overview.json', build: buildFleetOverviewDashboard },
  { file: 'netns-tenant-router.json', build: buildTenantRouterDashboard },
];

/** The exact text of a committed dashboard file: the JSON Grafana imports, two-space indented. */
export function renderDashboardJson(board: dashboard.Dashboard): string {
  return `${JSON.stringify(board, null, 2)}\n`;
}
