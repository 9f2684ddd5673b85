import ExcelJS from 'exceljs';
import { loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';

/** The upload form's messages and what the preview says about how the file was read. */

let t: TestApp;
let f: IntakeFixture;
beforeEach(() => {
  t = makeTestApp();
  f = createIntakeFixture(t.db);
});

const upload = (agent: Agent, buf: Buffer, name: string) =>
  agent.post(`/intake/import?_csrf=${encodeURIComponent(agent.csrf)}`)
    .field('campaignId', String(f.campaignId)).field('channel', 'door_to_door').attach('file', buf, name);

describe('uploading a spreadsheet', () => {
  it('says a chosen but empty file is empty, and asks for a file only when none was chosen', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const empty = await upload(staff, Buffer.alloc(0), '走访.csv');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('文件是空的，没有可以导入的内容。');
    expect(empty.text).not.toContain('请选择要导入的');
    const none = await staff.post(`/intake/import?_csrf=${encodeURIComponent(staff.csrf)}`).field('campaignId', String(f.campaignId));
    expect(none.status).toBe(400);
    expect(none.text).toContain('请选择要导入的');
  });

  it('refuses a password-protected workbook with its own message', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    // An OLE header and the stream name as its directory stores it are enough for the check.
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024), Buffer.from('EncryptionInfo', 'utf16le'), Buffer.alloc(512)]);
    const res = await upload(staff, ole, '加密.xlsx');
    expect(res.status).toBe(400);
    expect(res.text).toContain('这个文件设置了打开密码，请在 Excel 中取消密码后再导入。');
  });

  it('shows in the preview which sheet and header row were read and which columns were not', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['本表由各网格员填写，月底前报街道。']);
    const ws = wb.addWorksheet('11月走访');
    ws.addRow(['建中街街道2023年11月入户走访登记表']);
    ws.addRow(['填报单位：永安社区']);
    ws.addRow(['序号', '社区', '网格', '姓名', '联系电话', '问题描述', '办理情况', '满意度']);
    ws.addRow([1, '永安社区', '第一网格', '张三', '无', '楼道灯坏了很久没人修', '已转物业', '满意']);
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const up = await upload(staff, Buffer.from(await wb.xlsx.writeBuffer()), '走访.xlsx');
    expect(up.status).toBe(303);
    const preview = await staff.get(up.headers.location).expect(200);
    expect(preview.text).toContain('读取的是工作表“11月走访”，表头在第 3 行，数据从第 4 行开始。');
    expect(preview.text).toContain('以下列不会导入：G 列“办理情况”、H 列“满意度”。');
    expect(preview.text).toContain('将新增 <strong>1</strong> 条');
  });

  it('says where the header is for a csv, which has no sheets', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const up = await upload(staff, Buffer.from('社区,姓名,诉求内容\n永安社区,张三,灯坏了\n'), 'a.csv');
    const preview = await staff.get(up.headers.location).expect(200);
    expect(preview.text).toContain('>表头在第 1 行，数据从第 2 行开始。');
    expect(preview.text).not.toContain('以下列不会导入');
  });
});
