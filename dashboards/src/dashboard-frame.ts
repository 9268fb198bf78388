// What every netns-exporter dashboard has around its panels: tags, cross links, time settings and
// stable panel ids.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** Tag shared by the dashboards; the cross links below list dashboards by it. */
export const DASHBOARD_TAG = 'netns-exporter';

/** UIDs are part of the interface: data links and bookmarks point at them. */
export const UID = {
  fleetOverview: 'netns-fleet-overview',
  tenantRouter: 'netns-tenant-router',
} as const;

/** Starts a dashboard with the settings both share. */
export function dashboardFrame(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG, 'network', 'openstack', 'neutron'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-3h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .link(
      new dashboard.DashboardLinkBuilder('netns-exporter')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .icon('external link')
        .tooltip('Other netns-exporter dashboards')
        .targetBlank(false),
    );
}

/**
 * Gives every panel (rows included) a stable id in reading order. Grafana would invent ids on
 * import; fixed ones keep `viewPanel=` links valid and the committed JSON reproducible.
 */
export function numberPanels(board: dashboard.Dashboard): dashboard.Dashboard {
  let next = 1;
  for (const panel of board.panels ?? []) {
    panel.id = next++;
    if (panel.type === 'row') {
      for (const inner of (panel as dashboard.RowPanel).panels) inner.id = next++;
    }
  }
  return board;
}
