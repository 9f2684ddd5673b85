import ExcelJS from 'exceljs';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { parsePhoneCell } from '../../src/intake/import/values';
import { FILE_MESSAGES } from '../../src/intake/import/read-table';
import { InvalidError } from '../../src/lib/errors';

/** Sheets as offices really fill them in: placeholders for a missing phone, merged cells, two-row headers. */

async function book(fill: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('11月走访'));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const brief = (rows: Awaited<ReturnType<typeof parseSpreadsheet>>['rows']) =>
  rows.map((r) => ({ row: r.row, community: r.community, name: r.name, phone: r.phone, text: r.text, errors: r.errors }));

describe('a phone column holding a placeholder', () => {
  it('reads 无, /, -, —, 没有, 暂无, 不详, 拒绝提供 and the like as no phone', () => {
    for (const v of ['无', '/', '-', '—', '——', '--', '没有', '暂无', '不详', '拒绝提供', '未留电话', '无电话', '不愿提供', '（无）', '／', '－', '未知', 'N/A', '…', '、']) {
      expect([v, parsePhoneCell(v)]).toEqual([v, { ok: true, phone: null }]);
    }
  });

  it('still refuses a wrong number, with its message', () => {
    expect(parsePhoneCell('1381234567')).toEqual({ ok: false, reason: '电话号码不正确（“1381234567”）' });
    expect(parsePhoneCell('abc')).toEqual({ ok: false, reason: '电话号码不正确（“abc”）' });
    expect(parsePhoneCell('无号码138')).toMatchObject({ ok: false });
    expect(parsePhoneCell('138-')).toMatchObject({ ok: false });
    expect(parsePhoneCell('0')).toMatchObject({ ok: false });
  });

  it('imports the opinion without a phone instead of rejecting it', async () => {
    const csv = '社区,姓名,联系电话,诉求内容\n永安社区,孙八,无,希望有儿童游乐设施\n永安社区,周九,/,下水道堵塞\n永安社区,吴十,12345,噪音扰民\n';
    const sheet = await parseSpreadsheet(Buffer.from(csv));
    expect(brief(sheet.rows)).toEqual([
      { row: 2, community: '永安社区', name: '孙八', phone: null, text: '希望有儿童游乐设施', errors: [] },
      { row: 3, community: '永安社区', name: '周九', phone: null, text: '下水道堵塞', errors: [] },
      { row: 4, community: '永安社区', name: '吴十', phone: null, text: '噪音扰民', errors: ['电话号码不正确（“12345”）'] },
    ]);
  });
});

describe('merged cells', () => {
  it('treats numbered rows whose only other values come from a merged 社区/网格/日期 above as blank', async () => {
    const buf = await book((ws) => {
      ws.addRow(['序号', '社区', '网格', '走访日期', '姓名', '诉求内容']);
      ws.addRow([1, '永安社区', '第一网格', '2023-11-02', '张三', '楼道灯坏了']);
      ws.addRow([2, null, null, null, '李四', '门口乱停车']);
      for (let i = 3; i <= 20; i++) ws.addRow([i]);
      ws.mergeCells('B2:B21');
      ws.mergeCells('C2:C21');
      ws.mergeCells('D2:D21');
    });
    const sheet = await parseSpreadsheet(buf);
    expect(sheet.rows.map((r) => [r.row, r.community, r.date, r.text, r.errors])).toEqual([
      [2, '永安社区', '2023-11-02', '楼道灯坏了', []],
      [3, '永安社区', '2023-11-02', '门口乱停车', []], // a real opinion under the merge still gets its community
    ]);
  });

  it('finds the row naming the fields under a row of merged group titles', async () => {
    // As 02-two-row-merged-header.xlsx: a title, then 居民信息 over 姓名 and 联系电话, other titles merged down.
    const buf = await book((ws) => {
      ws.addRow(['建中街街道入户走访登记表']);
      ws.addRow(['序号', '走访日期', '社区', '居民信息', null, '诉求类型', '诉求内容', '备注']);
      ws.addRow([null, null, null, '姓名', '联系电话']);
      ws.addRow([1, '2023-11-02', '永安社区', '王秀兰', '13803712345', '养老服务', '希望有老年食堂', '']);
      ws.addRow([2, '2023-11-03', '建华社区', '赵六', '无', '设施维修', '路灯不亮', '']);
      ws.mergeCells('A1:H1');
      ws.mergeCells('D2:E2');
      for (const c of ['A', 'B', 'C', 'F', 'G', 'H']) ws.mergeCells(`${c}2:${c}3`);
    });
    const sheet = await parseSpreadsheet(buf);
    expect(sheet.headerRow).toBe(3);
    expect(sheet.ignoredColumns).toEqual([]);
    expect(brief(sheet.rows)).toEqual([
      { row: 4, community: '永安社区', name: '王秀兰', phone: '13803712345', text: '希望有老年食堂', errors: [] },
      { row: 5, community: '建华社区', name: '赵六', phone: null, text: '路灯不亮', errors: [] },
    ]);
  });

  it('reads the same two-row header when the titles are not merged down', async () => {
    const buf = await book((ws) => {
      ws.addRow(['序号', '社区', '居民信息', null, '诉求内容']);
      ws.addRow([null, null, '姓名', '电话']);
      ws.addRow([1, '永安社区', '王秀兰', '13803712345', '希望有老年食堂']);
      ws.mergeCells('C1:D1');
    });
    const sheet = await parseSpreadsheet(buf);
    expect(sheet.headerRow).toBe(2);
    expect(brief(sheet.rows)).toEqual([{ row: 3, community: '永安社区', name: '王秀兰', phone: '13803712345', text: '希望有老年食堂', errors: [] }]);
  });

  it('does not take a data row that happens to hold a column name for a second header row', async () => {
    const sheet = await parseSpreadsheet(Buffer.from('社区,姓名,诉求内容\n永安社区,王秀兰,意见\n'));
    expect(sheet.headerRow).toBe(1);
    expect(sheet.rows.map((r) => [r.row, r.text])).toEqual([[2, '意见']]);
  });
});

describe('what the import tells about the header', () => {
  it('names the columns it does not read, once each, but not a title above the header', async () => {
    const buf = await book((ws) => {
      ws.addRow(['建中街街道入户走访登记表']);
      ws.addRow(['社区', '诉求内容', '办理情况', '满意度', '姓名', '社区', null, 'Remarks']);
      ws.addRow(['永安社区', '楼道灯坏了', '已转物业', '满意', '张三', '建华社区', null, 'x']);
      ws.mergeCells('A1:J1');
    });
    const sheet = await parseSpreadsheet(buf);
    expect(sheet).toMatchObject({ sheetName: '11月走访', headerRow: 2 });
    expect(sheet.ignoredColumns).toEqual([
      { column: 'C', title: '办理情况' }, { column: 'D', title: '满意度' }, { column: 'F', title: '社区' }, { column: 'H', title: 'Remarks' },
    ]);
    expect(sheet.rows[0]).toMatchObject({ community: '永安社区', name: '张三', errors: [] });
  });
});

describe('blank rows in a csv', () => {
  it('are not counted against the row limit', async () => {
    const csv = '社区,姓名,诉求内容\n永安社区,张三,灯坏了\n建华社区,李四,路不平\n' + ', ,\n'.repeat(60_000);
    const sheet = await parseSpreadsheet(Buffer.from(csv));
    expect(sheet.rows.map((r) => r.row)).toEqual([2, 3]);
  });
});

/** A compound (OLE) file of 512-byte sectors: header, one FAT sector, one directory sector with these names. */
function oleFile(names: string[]): Buffer {
  const buf = Buffer.alloc(512 * 3, 0);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(buf, 0);
  buf.writeUInt16LE(0x3e, 0x18);
  buf.writeUInt16LE(3, 0x1a);
  buf.writeUInt16LE(0xfffe, 0x1c);
  buf.writeUInt16LE(9, 0x1e);
  buf.writeUInt16LE(6, 0x20);
  buf.writeUInt32LE(1, 0x2c); // one FAT sector…
  buf.writeUInt32LE(1, 0x30); // …and the directory in sector 1
  buf.writeUInt32LE(4096, 0x38);
  buf.writeUInt32LE(0xfffffffe, 0x3c);
  buf.writeUInt32LE(0xfffffffe, 0x44);
  buf.writeUInt32LE(0, 0x4c); // the FAT is sector 0
  for (let i = 1; i < 109; i++) buf.writeUInt32LE(0xffffffff, 0x4c + i * 4);
  const fat = 512;
  buf.fill(0xff, fat, fat + 512);
  buf.writeUInt32LE(0xfffffffd, fat); // sector 0: FAT
  buf.writeUInt32LE(0xfffffffe, fat + 4); // sector 1: end of the directory chain
  ['Root Entry', ...names].forEach((name, i) => {
    const e = 1024 + i * 128;
    buf.write(name, e, 'utf16le');
    buf.writeUInt16LE((name.length + 1) * 2, e + 0x40);
    buf[e + 0x42] = i === 0 ? 5 : 2;
  });
  return buf;
}

describe('OLE files', () => {
  const messageOf = async (buf: Buffer) => {
    try { await parseSpreadsheet(buf); } catch (err) { expect(err).toBeInstanceOf(InvalidError); return (err as InvalidError).message; }
    throw new Error('expected an error');
  };

  it('tells a password-protected .xlsx from an old .xls', async () => {
    expect(await messageOf(oleFile(['EncryptionInfo', 'EncryptedPackage', '\u0006DataSpaces']))).toBe('这个文件设置了打开密码，请在 Excel 中取消密码后再导入。');
    expect(await messageOf(oleFile(['Workbook', '\u0005SummaryInformation']))).toBe(FILE_MESSAGES.oldXls);
    expect(await messageOf(oleFile(['Book']))).toBe(FILE_MESSAGES.oldXls);
  });
});
