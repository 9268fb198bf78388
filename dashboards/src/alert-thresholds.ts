// The alert thresholds the dashboards draw, taken from the shipped alert configuration so that a
// panel turns orange or red exactly where the matching alert starts to page.
import { alertConfig } from '../../src/alerting/rules.js';

/** The thresholds panels colour by; each dashboard builder takes them, the shipped ones by default. */
export interface PanelThresholds {
  /** Share of the conntrack limit in use where the warning alert starts. */
  readonly conntrackWarningRatio: number;
  /** Share of the conntrack limit in use where the critical alert starts. */
  readonly conntrackCriticalRatio: number;
  /** Share of the scrape timeout above which the slow-scrape alert counts a scrape as slow. */
  readonly slowScrapeRatioOfTimeout: number;
  /** HA role changes within `haFlappingWindow` on one host from which NetnsRouterHAFlapping fires. */
  readonly haFlappingChanges: number;
  /** The window NetnsRouterHAFlapping counts role changes in (a PromQL duration). */
  readonly haFlappingWindow: string;
}

/** The thresholds of `alertConfig` in src/alerting/rules.ts, which the shipped rules are generated from. */
export const ALERT_THRESHOLDS: PanelThresholds = {
  conntrackWarningRatio: alertConfig.conntrack.warningRatio,
  conntrackCriticalRatio: alertConfig.conntrack.criticalRatio,
  slowScrapeRatioOfTimeout: alertConfig.slowScrape.ratioOfTimeout,
  haFlappingChanges: alertConfig.haFlapping.changes,
  haFlappingWindow: alertConfig.haFlapping.window,
};

/** A ratio as people read it in a description: 0.75 becomes "75 %". */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
