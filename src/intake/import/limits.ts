/**
 * What an uploaded table may hold. Both readers enforce these while they read, so a small file that
 * declares a huge sheet (a merge over A1:XFD1048576, one styled cell in the last row or column) costs
 * what its real content costs, never what it declares.
 */

/** Rows that hold at least one value; title and header rows have a little room above this. */
export const MAX_ROWS = 50_000;
export const MAX_ROWS_WITH_TITLES = MAX_ROWS + 100;

/** A sheet of residents' opinions never needs more; cells further right are not read. */
export const MAX_COLUMNS = 200;

/** Sheet XML and shared strings together, once unzipped (a 20 MB upload of real data stays far below). */
export const MAX_XML_BYTES = 100 * 1024 * 1024;

/** Merged ranges in one sheet: a community merged down each block and text across a few columns stay far below. */
export const MAX_MERGES = 200_000;

/** For the exceljs fallback, whose model creates each cell: sheet XML at most, merged cells at most. */
export const MAX_FALLBACK_SHEET_BYTES = 16 * 1024 * 1024;
export const MAX_MERGED_CELLS_FALLBACK = 100_000;

export const LIMIT_MESSAGES = {
  tooManyRows: `表格超过 ${MAX_ROWS} 行，请分成几个文件分别导入。`,
  overlappingMerges: '这个 Excel 文件的合并单元格互相重叠，文件可能已损坏。请在 Excel 中取消这些合并单元格，另存为 .xlsx 后再导入。',
  tooManyMerges: `这个 Excel 文件的合并单元格太多（超过 ${MAX_MERGES / 10000} 万处）。请在 Excel 中取消合并单元格，另存为 .xlsx 后再导入。`,
  tooBigUnzipped: '这个 Excel 文件解压后内容过大（可能含有大量空白或格式），无法导入。请把数据复制到新的工作簿（或下载模板填写）后再导入。',
};
