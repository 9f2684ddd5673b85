import type * as ExcelJS from 'exceljs';

let loaded: typeof ExcelJS | undefined;

/**
 * exceljs, loaded on first use. Requiring it costs about a second of start-up (measured with --cpu-prof: the
 * largest single part of `node dist/src/server.js` reaching ready), and only imports and exports need it.
 */
export function loadExcelJs(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('exceljs') as typeof ExcelJS;
  return loaded;
}
