import { loadExcelJs } from '../../lib/exceljs';
import { TEMPLATE_HEADERS } from './columns';

const INSTRUCTIONS = [
  '每行填写一户（一条诉求）。同一户有两条诉求，请填两行。',
  '“社区”必须与系统中的社区名称一致；“网格”“小区/楼院”找不到时不会报错，会留空或写入楼栋单元，并在导入报告中说明。',
  '“走访日期”可以写 2023-11-02、2023/11/02 或 2023年11月2日，也可以用 Excel 日期格式。',
  '“联系电话”请填 11 位手机号或带区号的座机号；本模板已把电话列设为文本，避免 Excel 显示成科学计数法。',
  '“诉求类型”请从分类目录中选，不在目录中的会自动分类或待分拣，不影响导入。',
  '“是否微心愿”填“是”或“否”。',
  '表头上方可以有标题行；空行会被跳过。同一文件重复导入不会重复保存。',
];

/** The import template: the sample sheet's header, phone column as text, and a sheet of instructions. */
export async function templateXlsx(): Promise<Buffer> {
  const wb = new (loadExcelJs().Workbook)();
  const ws = wb.addWorksheet('入户走访登记表');
  ws.columns = TEMPLATE_HEADERS.map(([field, header]) => ({
    header, key: field, width: field === 'text' ? 40 : field === 'note' ? 20 : 14,
    style: field === 'phone' ? { numFmt: '@' } : field === 'date' ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const help = wb.addWorksheet('填写说明');
  help.getColumn(1).width = 100;
  INSTRUCTIONS.forEach((line, i) => help.addRow([`${i + 1}. ${line}`]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same header as CSV, with a UTF-8 BOM so Excel on Windows opens it in the right encoding. */
export function templateCsv(): Buffer {
  return Buffer.from('\ufeff' + TEMPLATE_HEADERS.map((h) => h[1]).join(',') + '\r\n', 'utf8');
}
