// The project list's tools (issue 22 item 11, and the list on a phone from item 10) in
// headless chromium against the real binary: the ID column and search by ID or investor;
// choosing projects and taking one step on each (the result dialog names every project,
// done or refused with the Chinese reason); reassigning chosen projects (managers only);
// saved filters; the export carrying the list's filters; the list as cards with folded
// filters at 390x844; the project page printed as a dossier (print media).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir} from './harness.mjs';

const users = {zhang: 'staff', li: 'manager', wang: 'staff', audit: 'auditor'};
let database, server, browser;
const shots = artifactsDir();
// Refusals provoked on purpose are logged by the browser as failed loads.
const unexpected = (problems) => problems.filter((problem) => !/status of 4(22|00)/.test(problem));

// Label texts inside `selector` with English words (user data aside).
async function englishIn(page, selector) {
  return page.evaluate((root) => {
    const out = [];
    for (const element of document.querySelectorAll(`${root} :is(h2, label, button, option, p, th, td, li)`)) {
      if (element.closest('[data-user]')) continue;
      const clone = element.cloneNode(true);
      for (const user of clone.querySelectorAll('[data-user], input, textarea')) user.remove();
      const text = clone.textContent.replace(/“[^”]*”/g, '');
      if (/[A-Za-z]{2,}/.test(text)) out.push(text.trim());
    }
    return out;
  }, selector);
}

before(async () => {
  database = makeDatabase(users, {projects: 30});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

// A lead with every field accept_lead requires, of a test investor.
async function lead(api, name, investor = '批量测试投资有限公司') {
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {
    name, investor, contact: '刘经理 138-0000-0002', industry: 'new_materials', total_investment: 12000,
    promoting_unit: '招商一科'}});
  return created.project_id;
}

test('staff choose projects and take one step on each: every project listed with its result', async () => {
  const {page, problems, api} = await session(browser, server.url, 'zhang');
  const ids = [await lead(api, '批量甲项目'), await lead(api, '批量乙项目'), await lead(api, '批量丙项目')];
  await api('POST', `/api/projects/${ids[2]}/transitions`, {transition: 'accept_lead'});

  // Search by investor: the three, with their IDs in a column of their own.
  await page.goto(`/#/projects?q=${encodeURIComponent('批量测试投资')}`);
  await page.locator('.projects-table tbody tr').first().waitFor();
  assert.equal(await page.locator('.projects-table tbody tr').count(), 3);
  assert.deepEqual((await page.locator('.projects-table td.project-id').allTextContents()).sort(), [...ids].sort());
  assert.equal(await page.locator('.projects-table thead th').nth(1).textContent(), '编号');
  // Search by ID: that one project.
  await page.fill('#filter-q', ids[1]);
  await page.press('#filter-q', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('.projects-table tbody tr').length === 1);
  assert.equal(await page.locator('.projects-table td.project-name a').textContent(), '批量乙项目');

  await page.goto(`/#/projects?q=${encodeURIComponent('批量测试投资')}`);
  await page.locator('#choose-page').waitFor();
  assert.equal(await page.locator('#bulk-bar').isHidden(), true);
  await page.check('#choose-page');
  assert.equal(await page.locator('#bulk-bar .bulk-count').textContent(), '已选 3 个项目');
  assert.equal(await page.locator('#bulk-reassign-button').count(), 0, 'staff may not reassign');
  await page.click('#bulk-transition-button');
  const dialog = page.locator('#bulk-transition-dialog');
  await dialog.waitFor();
  await page.selectOption('#bulk-transition', {label: '受理线索'});
  await page.fill('#bulk-comment', '集中受理');
  assert.deepEqual(await englishIn(page, '#bulk-transition-dialog'), []);
  await dialog.locator('button[type=submit]').click();
  const results = page.locator('#bulk-result-dialog');
  await results.waitFor();
  assert.equal(await results.locator('.bulk-summary').textContent(), '已办理 2 个，未办理 1 个');
  const rows = results.locator('tbody tr');
  assert.equal(await rows.count(), 3);
  const byName = {};
  for (let i = 0; i < 3; ++i) {
    byName[await rows.nth(i).locator('td').first().textContent()] = await rows.nth(i).locator('td').nth(1).textContent();
  }
  assert.match(byName['批量甲项目'], /^✔ 已完成$/);
  assert.match(byName['批量乙项目'], /^✔ 已完成$/);
  assert.match(byName['批量丙项目'], /^✖ 未完成：.*[\u4e00-\u9fff]/);
  assert.deepEqual(await englishIn(page, '#bulk-result-dialog'), []);
  await page.screenshot({path: path.join(shots, 'list-bulk-result.png')});
  await results.locator('button.primary').click();
  // The list reloads: the two are in 初筛 now, with their step's comment in the history.
  await page.waitForFunction(() => !document.querySelector('#bulk-bar:not([hidden])'));
  const project = await api('GET', `/api/projects/${ids[0]}`);
  assert.equal(project.state, 'screening');
  const history = await api('GET', `/api/projects/${ids[0]}/history`);
  assert.equal(history.events.at(-1).body.comment, '集中受理');
  assert.deepEqual(unexpected(problems), []);
});

test('a manager reassigns chosen projects; the dialog lists each by name', async () => {
  const staff = await session(browser, server.url, 'zhang');
  const ids = [await lead(staff.api, '转交甲项目', '转交测试实业有限公司'),
    await lead(staff.api, '转交乙项目', '转交测试实业有限公司')];
  const {page, problems, api} = await session(browser, server.url, 'li');
  await page.goto(`/#/projects?q=${encodeURIComponent('转交测试实业')}`);
  await page.locator('#choose-page').waitFor();
  for (const id of ids) await page.check(`input.choose[data-project="${id}"]`);
  await page.click('#bulk-reassign-button');
  await page.locator('#bulk-reassign-dialog').waitFor();
  await page.fill('#bulk-to', 'wang');
  await page.fill('#bulk-reason', '调整分工');
  await page.locator('#bulk-reassign-dialog button[type=submit]').click();
  const results = page.locator('#bulk-result-dialog');
  await results.waitFor();
  assert.equal(await results.locator('.bulk-summary').textContent(), '已转交 2 个，未转交 0 个');
  assert.deepEqual((await results.locator('tbody td:first-child').allTextContents()).sort(), ['转交乙项目', '转交甲项目'].sort());
  await results.locator('button.primary').click();
  for (const id of ids) assert.equal((await api('GET', `/api/projects/${id}`)).owner, 'wang');
  assert.deepEqual(unexpected(problems), []);
});

test('saved filters: save the filters in use, open the list with one, delete it', async () => {
  const {page, problems} = await session(browser, server.url, 'zhang');
  await page.goto('/#/projects?workflow=qingyuan-investment&state=lead&sort=-created');
  await page.locator('#saved-filter').waitFor();
  assert.equal(await page.locator('#saved-filter option').first().textContent(), '尚无已存筛选');
  await page.click('#saved-filter-save');
  await page.locator('#saved-filter-dialog').waitFor();
  await page.fill('#saved-filter-name', '我的线索');
  await page.locator('#saved-filter-dialog button[type=submit]').click();
  await page.locator('#saved-filter option', {hasText: '我的线索'}).waitFor({state: 'attached'});
  assert.equal(await page.locator('#saved-filter option:checked').textContent(), '我的线索');

  await page.goto('/#/projects');
  await page.locator('#saved-filter').waitFor();
  await page.selectOption('#saved-filter', {label: '我的线索'});
  await page.waitForFunction(() => location.hash.includes('state=lead'));
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
  assert.equal(hash.get('workflow'), 'qingyuan-investment');
  assert.equal(hash.get('sort'), '-created');
  await page.locator('#filter-state').waitFor();
  assert.equal(await page.locator('#filter-state').inputValue(), 'lead');
  // Another user does not see it.
  const other = await session(browser, server.url, 'wang');
  await other.page.goto('/#/projects');
  await other.page.locator('#saved-filter').waitFor();
  assert.equal(await other.page.locator('#saved-filter option').count(), 1);

  await page.click('#saved-filter-remove');
  await page.locator('#saved-filter option', {hasText: '我的线索'}).waitFor({state: 'detached'});
  assert.deepEqual(unexpected(problems), []);
});

test('the export carries the list filters and is an XLSX workbook', async () => {
  const {page, context, problems} = await session(browser, server.url, 'zhang');
  await page.goto('/#/projects');
  await page.locator('#export-list').waitFor();
  assert.equal(await page.locator('#export-list').isDisabled(), true, 'no workflow chosen: no export');
  await page.goto(`/#/projects?workflow=qingyuan-investment&state=lead&q=${encodeURIComponent('批量')}&overdue=true`);
  const link = page.locator('a#export-list');
  await link.waitFor();
  const href = await link.getAttribute('href');
  const params = new URLSearchParams(href.split('?')[1]);
  assert.equal(href.split('?')[0], '/api/projects/export');
  assert.deepEqual(Object.fromEntries(params), {workflow: 'qingyuan-investment', state: 'lead', q: '批量',
    overdue: 'true', format: 'xlsx'});
  const response = await context.request.get(href);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /spreadsheetml/);
  const bytes = await response.body();
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  assert.deepEqual(unexpected(problems), []);
});

test('on a phone (390x844) the filters fold away and each project is a card', async () => {
  const {page, problems} = await session(browser, server.url, 'zhang', {viewport: {width: 390, height: 844}});
  await page.goto('/#/projects');
  await page.locator('.projects-table tbody tr').first().waitFor();
  assert.equal(await page.locator('#filters-box').evaluate((box) => box.open), false);
  assert.equal(await page.locator('#filter-q').isVisible(), false);
  assert.equal(await page.locator('.projects-table thead').isVisible(), false);
  const card = page.locator('.projects-table tbody tr').first();
  assert.equal(await card.evaluate((row) => getComputedStyle(row).display), 'grid');
  const box = await card.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `card inside the screen: ${JSON.stringify(box)}`);
  // The name comes first, and the labels say what each value is.
  const nameBox = await card.locator('td.project-name').boundingBox();
  const idBox = await card.locator('td.project-id').boundingBox();
  assert.ok(nameBox.y < idBox.y, 'the name on top');
  assert.equal(await card.locator('td.project-id').evaluate((cell) => getComputedStyle(cell, '::before').content), '"编号"');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
  const first = await card.boundingBox();
  const above = await page.evaluate(() => [...document.querySelectorAll('.app-header, .view > *')]
    .slice(0, 8).map((element) => `${element.className || element.tagName}:${Math.round(element.getBoundingClientRect().height)}`));
  assert.ok(first.y < 844, `the first project is on the first screen: ${JSON.stringify(first)} ${above.join(' ')}`);
  await page.screenshot({path: path.join(shots, 'list-phone.png')});
  await page.click('#filters-box > summary');
  assert.equal(await page.locator('#filter-q').isVisible(), true);
  assert.deepEqual(unexpected(problems), []);
});

test('the project page prints as a dossier: particulars, every section, the review record, no controls', async () => {
  const {page, problems, api} = await session(browser, server.url, 'li');
  // A seeded project that went through a review.
  let reviewed = null;
  for (const project of (await api('GET', '/api/projects?workflow=qingyuan-investment&limit=100')).projects) {
    const history = await api('GET', `/api/projects/${project.id}/history`);
    if (history.events.some((event) => event.type === 'vote_cast')) {
      reviewed = {project, votes: history.events.filter((event) => event.type === 'vote_cast').length};
      break;
    }
  }
  assert.ok(reviewed, 'the seed has a reviewed project');
  await page.goto(`/#/projects/${encodeURIComponent(reviewed.project.id)}`);
  await page.locator('#print-dossier').waitFor();
  assert.equal(await page.locator('.dossier-head').isVisible(), false, 'print-only on screen');
  await page.evaluate(() => { window.print = () => { window.printed = true; }; });
  await page.click('#print-dossier');
  assert.equal(await page.evaluate(() => window.printed), true);
  assert.equal(await page.locator('details.field-group:not([open])').count(), 0, 'every group open');

  await page.emulateMedia({media: 'print'});
  for (const hidden of ['#app-header', '#print-dossier', '.edit-group', 'form.inline-form']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} hidden in print`);
  }
  assert.equal(await page.locator('.transition-list').first().isVisible(), false);
  const head = page.locator('.dossier-head');
  assert.equal(await head.isVisible(), true);
  assert.match(await head.textContent(), new RegExp(`项目档案[\\s\\S]*项目编号${reviewed.project.id}`));
  const votes = page.locator('.dossier-review tr.dossier-vote');
  assert.equal(await votes.count(), reviewed.votes);
  assert.match(await votes.first().locator('td').nth(2).textContent(), /^(同意|不同意)$/);
  assert.equal(await page.locator('.dossier-review tr.dossier-outcome').count() >= 1, true);
  for (const section of ['落地节点', '跟踪走访', '办理记录', '项目信息']) {
    assert.equal(await page.locator('.panel > h2', {hasText: section}).first().isVisible(), true, section);
  }
  assert.equal(await page.locator('.dossier-foot').isVisible(), true);
  assert.deepEqual(await englishIn(page, '.dossier-head, .dossier-review, .dossier-foot'), []);
  writeFileSync(path.join(shots, 'list-dossier.pdf'), await page.pdf({format: 'A4'}));
  await page.screenshot({path: path.join(shots, 'list-dossier-print.png'), fullPage: true});
  assert.deepEqual(unexpected(problems), []);
});
