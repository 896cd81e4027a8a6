export { LogReader, type LogRecord, type ReadRange } from './log-reader.js';
export { type TapDependencies, type TapOptions, tap } from './tap.js';
export { CSV_COLUMNS, type TapFormat } from './tap-line.js';
