export { takeExport, exportDir, type ExportOptions } from './take-export.js';
export { listExports, pruneExports, type ExportCatalog, type ExportPruneResult } from './export-catalog.js';
export { checkExportManifest, EXPORT_MANIFEST, type ExportManifest } from './export-manifest.js';
