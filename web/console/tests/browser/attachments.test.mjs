// The project page's 附件 panel end to end in headless chromium against the real binary
// (issue 17 item 4): staff drops a PDF on the drop zone and sees it listed with a progress
// bar on the way; picks a PNG with the file picker; a disguised web page is refused with a
// Chinese message; the milestone form offers the attachments as evidence, and a milestone
// that needs an evidence file is recorded done only with one (uploaded from the form).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir} from './harness.mjs';

const shots = artifactsDir();
let database, server, browser, staff, projectId;

before(async () => {
  database = makeDatabase({zhang: 'staff'}, {projects: 30});
  server = await startServer(database.db);
  browser = await launchBrowser();
  staff = await session(browser, server.url, 'zhang');
  projectId = (await staff.api('POST', '/api/projects',
    {workflow: 'qingyuan-investment', fields: {name: '附件测试项目'}})).project_id;
});

after(async () => {
  await staff?.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

const kPdf = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n';

test('staff drops a PDF on the 附件 panel and sees it listed', async () => {
  const {page, problems} = staff;
  assert.ok(projectId, 'a project was created');
  await page.goto(`/#/projects/${encodeURIComponent(projectId)}`);
  await page.locator('#attachments h2', {hasText: '附件'}).waitFor();
  await page.locator('#attachments', {hasText: '暂无附件'}).waitFor();
  // Drag and drop: a File in a DataTransfer, dropped on the zone; the bar is seen on the way.
  await page.evaluate((text) => {
    window.__progressSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('.upload-progress progress')) window.__progressSeen = true;
    }).observe(document.body, {childList: true, subtree: true});
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], '土地出让合同.pdf', {type: 'application/pdf'}));
    const zone = document.querySelector('[data-testid="attachment-drop"]');
    zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    zone.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }, kPdf);
  const link = page.locator('#attachments .attachment-row a', {hasText: '土地出让合同.pdf'});
  await link.waitFor();
  assert.equal(await page.evaluate(() => window.__progressSeen), true);
  // A PDF opens in a new tab, shown inline.
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('href'), /inline=true/);
  const download = await page.evaluate(async (href) => {
    const response = await fetch(href.replace('inline=true', 'inline=false'));
    return {status: response.status, disposition: response.headers.get('Content-Disposition'),
      nosniff: response.headers.get('X-Content-Type-Options'), text: await response.text()};
  }, await link.getAttribute('href'));
  assert.equal(download.status, 200);
  assert.match(download.disposition, /^attachment;/);
  assert.equal(download.nosniff, 'nosniff');
  assert.equal(download.text, kPdf);
  assert.match(await page.locator('#attachments tbody').innerText(), /PDF/);
  // The history names the event in Chinese, with the file's name.
  await page.locator('.timeline li', {hasText: '上传附件'}).waitFor();
  assert.doesNotMatch(await page.locator('.timeline').innerText(), /file_attached/);
  await page.screenshot({path: path.join(shots, 'attachments.png'), fullPage: true});
  assert.deepEqual(problems, []);
});

test('a web page named .pdf is refused with a Chinese message and not listed', async () => {
  const {page} = staff;
  await page.setInputFiles('#attachment-input', {name: '伪装.pdf', mimeType: 'text/html',
    buffer: Buffer.from('<html><script>alert(1)</script></html>')});
  const message = page.locator('#attachments [role="alert"]');
  await message.waitFor();
  assert.match(await message.innerText(), /不接受网页/);
  assert.equal(await page.locator('#attachments .attachment-row', {hasText: '伪装.pdf'}).count(), 0);
});

test('a PNG chosen with the file picker is listed too', async () => {
  const {page} = staff;
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077' + '53de', 'hex');
  await page.setInputFiles('#attachment-input', {name: '现场照片.png', mimeType: 'image/png', buffer: png});
  await page.locator('#attachments .attachment-row a', {hasText: '现场照片.png'}).waitFor();
  assert.equal(await page.locator('#attachments .attachment-row').count(), 2);
});

test('a milestone needing evidence is refused with a number alone and recorded with the file', async () => {
  const {page, api} = staff;
  // A seeded signed project whose environmental assessment (evidence: required) is open.
  const {projects} = await api('GET', '/api/projects?workflow=qingyuan-investment&limit=100');
  let target = null;
  for (const item of projects) {
    const project = await api('GET', `/api/projects/${encodeURIComponent(item.id)}`);
    const milestone = project.milestones?.environmental_assessment;
    if (milestone && !milestone.done_on) { target = project; break; }
  }
  assert.ok(target, 'the seed has a signed project with the assessment open');
  await page.goto(`/#/projects/${encodeURIComponent(target.id)}`);
  await page.locator('#milestone-id').selectOption('environmental_assessment');
  await page.fill('#milestone-done', new Date().toISOString().slice(0, 10));
  await page.fill('#milestone-evidence', '清环审〔2026〕35号');
  const form = page.locator('form', {has: page.locator('#milestone-id')});
  await form.locator('button[type=submit]').click();
  await form.locator('[role="alert"]', {hasText: '须上传佐证材料'}).waitFor();
  let project = await api('GET', `/api/projects/${encodeURIComponent(target.id)}`);
  assert.ok(!project.milestones.environmental_assessment.done_on);
  // With the file chosen in the same form: uploaded for the milestone, then recorded.
  await page.setInputFiles('#milestone-file', {name: '环评批复.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from(kPdf)});
  await form.locator('button[type=submit]').click();
  await page.locator('#attachments .attachment-row a', {hasText: '环评批复.pdf'}).waitFor();
  project = await api('GET', `/api/projects/${encodeURIComponent(target.id)}`);
  assert.ok(project.milestones.environmental_assessment.done_on);
  assert.equal(project.milestones.environmental_assessment.evidence, '清环审〔2026〕35号');
  const file = project.attachments.find((attachment) => attachment.filename === '环评批复.pdf');
  assert.equal(file?.milestone, 'environmental_assessment');
});
