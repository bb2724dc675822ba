/** Reports: training-curve PNGs and summary tables. */
export { plotCurves, writeCurvesPng, renderSpec, curvesSpec, readJsonlRows, type Plot, type PlotOptions } from './plot.js';
export { markdownTable, consoleTable, summarizeMetrics, summaryTable, formatNumber, type Cell, type MetricSummary } from './table.js';
