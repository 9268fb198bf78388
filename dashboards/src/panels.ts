// Panel and query factories with the defaults both dashboards share: the templated datasource,
// table legends, multi-series tooltips and the "transmit below the axis" convention.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { PanelThresholds } from './alert-thresholds.js';

/** Every panel and query reads from the `datasource` variable; no dashboard names a Prometheus UID. */
export const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** A range query drawn as a time series. */
export function rangeQuery(refId: string, expr: string, legendFormat: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(refId)
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .range()
    .expr(expr)
    .legendFormat(legendFormat);
}

/** An instant query returned as a table (one row per series, labels as columns). */
export function tableQuery(refId: string, expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(refId)
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .instant()
    .format(prometheus.PromQueryFormat.Table)
    .expr(expr)
    .legendFormat('__auto');
}

/** An instant query for a single-value panel (stat, gauge). */
export function instantQuery(refId: string, expr: string, legendFormat: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(refId)
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .instant()
    .expr(expr)
    .legendFormat(legendFormat);
}

// A table legend sorted by mean, so the busiest series head the list and can be clicked to isolate.
function tableLegend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Bottom)
    .calcs(['mean', 'max', 'lastNotNull'])
    .sortBy('Mean')
    .sortDesc(true);
}

export interface PanelText {
  readonly title: string;
  readonly description: string;
}

/** A time series with a sortable table legend (mean, max, last) and a tooltip listing every series. */
export function timeseriesPanel(text: PanelText, unit: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(unit)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(tableLegend())
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/**
 * Draws the queries with these refIds below the axis: receive above, transmit below, the layout
 * operators know from switch port graphs. Values stay positive in the query and in tooltips.
 */
export function drawBelowAxis(panel: timeseries.PanelBuilder, ...refIds: string[]): timeseries.PanelBuilder {
  for (const refId of refIds) {
    panel.overrideByQuery(refId, [{ id: 'custom.transform', value: common.GraphTransform.NegativeY }]);
  }
  return panel;
}

/** A threshold scale from a base colour through the given steps. */
export function thresholds(base: string, ...steps: [number, string][]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Conntrack use colours: the warning and critical alert thresholds, so panels and pages agree. */
export const conntrackThresholds = (t: PanelThresholds): dashboard.ThresholdsConfigBuilder =>
  thresholds('green', [t.conntrackWarningRatio, 'orange'], [t.conntrackCriticalRatio, 'red']);

/** A single big number, coloured by thresholds. */
export function statPanel(text: PanelText, unit: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(unit)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A gauge per series, coloured by thresholds. */
export function gaugePanel(text: PanelText, unit: string): gauge.PanelBuilder {
  return new gauge.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A table of instant-query rows. */
export function tablePanel(text: PanelText, unit: string): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .unit(unit)
    .cellHeight(common.TableCellHeight.Sm)
    .filterable(true);
}

/** A state timeline: one lane per series, coloured by value mappings. */
export function stateTimelinePanel(text: PanelText): statetimeline.PanelBuilder {
  return new statetimeline.PanelBuilder()
    .title(text.title)
    .description(text.description)
    .datasource(DATASOURCE)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
}

/** Table transformations, named after what they do to the rows. */
export const transform = {
  /** Joins several instant queries into one row per label set. */
  merge: (): dashboard.DataTransformerConfig => ({ id: 'merge', options: {} }),
  /** Hides and renames columns; `Time` and the job are noise in every table here. */
  columns: (rename: Record<string, string>, hide: string[] = []): dashboard.DataTransformerConfig => ({
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(['Time', 'job', '__name__', ...hide].map((name) => [name, true])),
      renameByName: rename,
      indexByName: {},
    },
  }),
  /** Turns (row label, column label, value) rows into a matrix. */
  matrix: (rowField: string, columnField: string): dashboard.DataTransformerConfig => ({
    id: 'groupingToMatrix',
    options: { rowField, columnField, valueField: 'Value', emptyValue: 'zero' },
  }),
};

/** Descending sort of a table column. */
export function sortByDesc(column: string): common.TableSortByFieldStateBuilder[] {
  return [new common.TableSortByFieldStateBuilder().displayName(column).desc(true)];
}
