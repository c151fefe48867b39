// The import page end to end in headless chromium against the real binary (issue 18):
// staff opens 导入 from the project list, uploads an XLSX written by LibreOffice with the
// file picker, sees the preview (actions, converted values) in Chinese only, imports with
// 项目名称 as the key; then drops the same list saved by Excel on Chinese Windows (a GB18030
// CSV) onto the page and sees which projects it would update, leave unchanged or create.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, labelTexts, repo} from './harness.mjs';

const corpus = path.join(repo, 'tests', 'data', 'import');
const shots = artifactsDir();
let database, server, browser, staff;

before(async () => {
  database = makeDatabase({zhang: 'staff'}, {projects: 0});
  server = await startServer(database.db);
  browser = await launchBrowser();
  staff = await session(browser, server.url, 'zhang');
});

after(async () => {
  await staff?.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

// Words of English or internal ids on a Chinese screen (the file kinds are named as such).
async function englishOnScreen(page) {
  const texts = await labelTexts(page);
  const view = await page.locator('#view').innerText();
  const offending = texts.filter((text) => /[A-Za-z_]{3,}/.test(text.replace(/CSV|Excel|xlsx/g, '')));
  for (const id of ['qingyuan-investment', 'total_investment', 'new_materials', 'refused', 'unchanged']) {
    if (view.includes(id)) offending.push(id);
  }
  return offending;
}

async function summary(page, text) {
  await page.locator('#import-summary', {hasText: text}).waitFor();
  return page.locator('#import-summary').innerText();
}

test('staff previews an XLSX file in Chinese and imports it with a key', async () => {
  const {page, problems} = staff;
  await page.goto('/#/projects');
  await page.click('#import-link');
  await page.locator('h1', {hasText: '导入项目'}).waitFor();
  await page.selectOption('#import-workflow', 'qingyuan-investment');
  await page.locator('#import-key option', {hasText: '项目名称'}).waitFor({state: 'attached'});
  await page.selectOption('#import-key', 'name');
  await page.setInputFiles('#import-file', path.join(corpus, 'libreoffice.xlsx'));
  assert.match(await summary(page, '新建 4'), /新建 4，更新 0，未变 0，拒绝 0/);
  assert.equal(await page.locator('.import-table tbody tr').count(), 4);
  await page.locator('.import-values dd', {hasText: '12000 万元'}).first().waitFor();
  assert.deepEqual(await englishOnScreen(page), []);
  assert.doesNotMatch(await page.locator('#import-result').innerText(), /null|undefined/);
  await page.screenshot({path: path.join(shots, 'import-preview.png'), fullPage: true});

  await page.click('#import-confirm');
  await page.locator('#import-result h2', {hasText: '导入完成'}).waitFor();
  assert.match(await summary(page, '新建 4'), /新建 4/);
  assert.equal(await page.locator('.import-table a', {hasText: '查看'}).count(), 4);
  assert.deepEqual(problems, []);
});

test('the same list as a GB18030 CSV, dropped on the page, updates instead of duplicating', async () => {
  const {page, problems} = staff;
  const bytes = readFileSync(path.join(corpus, 'gb18030_crlf.csv')).toString('base64');
  // Drag and drop: a File in a DataTransfer, dropped on the drop zone.
  await page.evaluate((base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], '项目清单.csv', {type: 'text/csv'}));
    const zone = document.getElementById('import-drop');
    zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }, bytes);
  await page.locator('#import-result h2', {hasText: '预览'}).waitFor();
  // Four names are stored already: three rows as stored, one with another amount
  // (１２００．５ instead of 1.2亿); the fifth is new.
  assert.match(await summary(page, '未变'), /新建 1，更新 1，未变 3，拒绝 0/);
  await page.locator('tr.import-update .import-values dd', {hasText: '1200.5 万元'}).waitFor();
  assert.deepEqual(await englishOnScreen(page), []);
  await page.screenshot({path: path.join(shots, 'import-gb18030.png'), fullPage: true});
  await page.click('#import-confirm');
  await page.locator('#import-result h2', {hasText: '导入完成'}).waitFor();
  assert.match(await summary(page, '更新 1'), /新建 1，更新 1，未变 3/);

  // Nothing duplicated: five projects in the list.
  await page.goto('/#/projects?workflow=qingyuan-investment');
  await page.locator('.projects-table').waitFor();
  assert.equal(await page.locator('.projects-table tbody tr').count(), 5);
  assert.deepEqual(problems, []);
});

test('a column the workflow does not have is named, and can be left out with one click', async () => {
  const {page, problems} = staff;
  await page.goto('/#/import?workflow=qingyuan-investment');
  await page.locator('h1', {hasText: '导入项目'}).waitFor();
  await page.setInputFiles('#import-file', {name: '新线索.csv', mimeType: 'text/csv',
    buffer: Buffer.from('项目名称,联系电话\n新线索项目,138-0000-0000\n')});
  await page.locator('#import-result .error-box strong', {hasText: '联系电话'}).waitFor();
  await page.click('#import-ignore');
  assert.match(await summary(page, '新建 1'), /新建 1，更新 0，未变 0，拒绝 0/);
  await page.locator('#import-result p', {hasText: '未导入的列：联系电话'}).waitFor();
  assert.deepEqual(problems.filter((text) => !/status of 422/.test(text)), []);
});
