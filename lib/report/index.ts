/** Reports: training-curve PNGs, summary tables and the self-contained report.html page. */
export { plotCurves, writeCurvesPng, renderSpec, curvesSpec, readJsonlRows, type Plot, type PlotOptions } from './plot.js';
export { markdownTable, consoleTable, summarizeMetrics, summaryTable, formatNumber, type Cell, type MetricSummary } from './table.js';
export { renderSvg } from './plot.js';
export { writeReport, renderReportHtml, type ReportOptions, type ReportResult } from './html.js';
export { loadReportData, type ReportData, type ReportTable, type RunData } from './run_data.js';
export { escapeHtml, gallerySample, categories, type GallerySample, type ParsedParts, type ResponseParser, type SampleCategory } from './gallery.js';
