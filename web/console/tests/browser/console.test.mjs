// The console end to end in headless chromium against the real binary (issue 7's
// "Done when"): staff creates a project, meets a guard failure explained in Chinese, fixes
// the field and advances; three reviewers vote in their own sessions; the secretariat
// approves; the manager's board and dashboard show it; a second browser sees a
// notification arrive live; English replaces every label; an XSS name stays text.
// Screenshots of every main page go to $INVESTFLOW_ARTIFACTS.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, hasCjk, labelTexts} from './harness.mjs';

const users = {zhang: 'staff', li: 'manager', wang: 'secretariat', r1: 'reviewer', r2: 'reviewer',
  r3: 'reviewer', watcher: 'staff'};
let database, server, browser;
const sessions = {};
const shots = artifactsDir();
const kName = '新型显示材料产业化项目';
const kXssName = '<img src=x onerror=alert(1)>';
let projectId = '';

async function as(user, options) {
  sessions[user] ||= await session(browser, server.url, user, options);
  return sessions[user];
}

async function shot(page, name) {
  await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
}

function inDays(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return date.toISOString().slice(0, 10);
}

async function dashboardAvailable(page, section) {
  await page.waitForSelector(`#dash-${section} h2 + *:not(.muted)`);
  return (await page.locator(`#dash-${section} .not-available`).count()) === 0;
}

async function pipelineCount(page, stageLabel) {
  const row = page.locator('#dash-pipeline table tr', {has: page.locator(`th:text-is("${stageLabel}")`)});
  if (!(await row.count())) return 0;
  return Number(await row.locator('td').first().textContent());
}

before(async () => {
  database = makeDatabase(Object.fromEntries(Object.entries(users)), {projects: 40});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  for (const entry of Object.values(sessions)) await entry.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

const baseline = {approved: null, reportsAvailable: false};

test('the manager opens the dashboard before anything happens', async () => {
  const {page} = await as('li');
  await page.goto('/#/dashboard');
  baseline.reportsAvailable = await dashboardAvailable(page, 'pipeline');
  if (baseline.reportsAvailable) baseline.approved = await pipelineCount(page, '评审通过');
});

test('staff creates a project, meets a guard failure in Chinese, fixes it and advances', async () => {
  const {page, problems} = await as('zhang');
  await page.goto('/#/projects/new');
  await page.getByLabel('项目名称').fill(kName);
  await page.getByLabel('投资主体').fill('广东新材科技有限公司');
  await page.getByLabel('投资方联系人').fill('刘经理 138-0000-0002');
  await page.getByLabel('所属产业').selectOption('new_materials');
  await page.getByLabel('计划总投资').fill('30000');
  await page.getByLabel('招商单位').fill('招商一科');
  await shot(page, 'new-project');
  await page.getByRole('button', {name: '创建'}).click();
  await page.waitForURL(/#\/projects\/P-/);
  projectId = decodeURIComponent(page.url().split('#/projects/')[1]);
  await assert.doesNotReject(page.locator('h1.project-title', {hasText: kName}).waitFor());

  // Accept the lead through the transition form.
  await page.locator('[data-transition="accept_lead"] button').click();
  await page.locator('dialog .transition-form button[type=submit]').click();
  await page.locator('.stage-pill', {hasText: '初筛研判'}).waitFor();

  // The manager screens it as a leased-factory project (through the API).
  const {api: manager} = await as('li');
  await manager('PATCH', `/api/projects/${projectId}`, {fields: {chain_role: 'strengthen',
    project_kind: 'manufacturing', land_type: 'leased_factory', floor_area: 20000,
    fixed_asset_investment: 27000, expected_output: 90000, expected_tax: 3000, energy_consumption: 500}});
  await manager('POST', `/api/projects/${projectId}/transitions`, {transition: 'pass_screening', comment: '指标达标'});

  // Negotiation moves it onto new land: submitting is blocked, with the engine's reason.
  await page.reload();
  await page.locator('.stage-pill', {hasText: '洽谈对接'}).waitFor();
  const landGroup = page.locator('details[data-group="land"]');
  await landGroup.locator('.edit-group').click();
  await landGroup.getByLabel('用地方式').selectOption('new_land');
  await landGroup.getByRole('button', {name: '保存'}).click();
  const blocked = page.locator('[data-transition="submit_for_review"].blocked');
  await blocked.locator('.reason', {hasText: '用地项目须填写用地面积（亩）'}).waitFor();
  assert.ok(await blocked.locator('button').isDisabled());
  await shot(page, 'project-guard-failure');

  // Fix the field; the transition opens and takes the project to preliminary review.
  await landGroup.locator('.edit-group').click();
  await landGroup.getByLabel('用地面积').fill('75');
  // New land also needs the planning indicators of industrial land.
  await landGroup.getByLabel('容积率').fill('2.2');
  await landGroup.getByLabel('建筑系数').fill('45');
  await landGroup.getByLabel('行政办公及生活服务设施用地比例').fill('6');
  await landGroup.getByLabel('绿地率').fill('15');
  await landGroup.getByRole('button', {name: '保存'}).click();
  const available = page.locator('[data-transition="submit_for_review"].available button');
  await available.waitFor();
  await available.click();
  await page.locator('dialog .transition-form button[type=submit]').click();
  await page.locator('.stage-pill', {hasText: '预审'}).waitFor();
  assert.deepEqual(problems, []);
});

test('a second browser sees a notification arrive live', async (t) => {
  const {page} = await as('watcher');
  await page.goto('/#/board');
  const owner = await as('zhang');
  await owner.page.goto('/#/board');
  const bell = owner.page.locator('#bell-count');
  const notificationsAvailable = (await owner.page.locator('#bell').getAttribute('title')) !==
    '暂不可用：服务器尚未提供此功能';
  const before = Number((await bell.textContent()) || 0);
  // The secretariat sends it to the committee: the owner is notified (workflow notify rule).
  const {api: secretariat} = await as('wang');
  await secretariat('POST', `/api/projects/${projectId}/transitions`, {transition: 'pass_preliminary', fields: {
    outside_red_line: true, complies_sanxian_yidan: true, not_forbidden_category: true, emissions_ok: true,
    safety_ok: true, review_meeting_on: inDays(14)}});
  // The watcher's board follows the project into the committee column without a reload.
  await page.locator('[data-state="committee_review"] .project-card', {hasText: kName}).waitFor();
  if (!notificationsAvailable) {
    t.skip('PENDING: /api/notifications is not served by this binary yet');
    return;
  }
  await owner.page.waitForFunction((count) => Number(document.querySelector('#bell-count').textContent || 0) > count,
    before, {timeout: 15000});
  await shot(owner.page, 'board-with-notification');
  await owner.page.goto('/#/notifications');
  await owner.page.locator('.inbox li.unread a', {hasText: kName}).first().waitFor();
  await shot(owner.page, 'notifications');
});

test('three reviewers vote in their own sessions and the project moves on', async () => {
  for (const reviewer of ['r1', 'r2', 'r3']) {
    const {page, problems} = await as(reviewer);
    await page.goto(`/#/projects/${encodeURIComponent(projectId)}`);
    await page.locator('#vote-comment').fill('同意');
    await page.locator('.vote-button[data-choice="approve"]').click();
    await page.locator('.vote-form strong', {hasText: '同意'}).waitFor();
    if (reviewer === 'r3') await shot(page, 'project-review');
    assert.deepEqual(problems, []);
  }
  const {page} = await as('wang');
  await page.goto(`/#/projects/${encodeURIComponent(projectId)}`);
  await page.locator('.vote-count', {hasText: '3'}).waitFor();
  await page.locator('[data-transition="approve"].available button').click();
  await page.locator('dialog .transition-form button[type=submit]').click();
  await page.locator('.stage-pill', {hasText: '评审通过'}).waitFor();
  await page.locator('.chain-ok').waitFor();
  await shot(page, 'project-approved');
});

test("the manager's board and dashboard show the new numbers", async (t) => {
  const {page, problems} = await as('li');
  await page.goto('/#/board');
  const column = page.locator('[data-state="approved"]');
  await column.locator('.project-card', {hasText: kName}).waitFor();
  await shot(page, 'board');
  await page.goto('/#/dashboard');
  if (!baseline.reportsAvailable || !(await dashboardAvailable(page, 'pipeline'))) {
    await shot(page, 'dashboard');
    t.skip('PENDING: /api/reports/* is not served by this binary yet');
    return;
  }
  const approved = await pipelineCount(page, '评审通过');
  assert.equal(approved, baseline.approved + 1);
  await page.locator('#dash-kpis .kpi').first().waitFor();
  await page.locator('#dash-funnel table').waitFor();
  await shot(page, 'dashboard');
  // The board's column header counts from the same report.
  await page.goto('/#/board');
  await column.locator('.project-card', {hasText: kName}).waitFor();
  assert.equal(Number(await column.locator('.column-count').textContent()), approved);
  assert.deepEqual(problems, []);
});

test('switching to English changes every label', async () => {
  const {page, problems} = await as('li');
  for (const [name, route, ready] of [
    ['project', `/#/projects/${encodeURIComponent(projectId)}`, '.chain'], ['board', '/#/board', '.column'],
    ['projects', '/#/projects', '.projects-table'],
    ['dashboard', '/#/dashboard', '#dash-overdue_list ul, #dash-overdue_list p:not(.muted)'],
    ['workflow', '/#/workflow', 'svg.diagram'], ['notifications', '/#/notifications', 'h1'],
    ['new-project', '/#/projects/new', 'form.new-project']]) {
    await page.goto(route);
    await page.locator(ready).first().waitFor();
    if (route.includes(projectId)) {
      await page.selectOption('#language', 'en');
      await page.locator('h2', {hasText: 'History'}).waitFor();
    }
    await page.waitForTimeout(200);
    const offending = (await labelTexts(page)).filter(hasCjk);
    assert.deepEqual(offending, [], `Chinese left on ${route}`);
    await shot(page, `en-${name}`);
  }
  // The choice is remembered.
  await page.reload();
  await page.locator('nav a', {hasText: 'Projects'}).waitFor();
  await page.selectOption('#language', 'zh-CN');
  await page.locator('nav a', {hasText: '项目列表'}).waitFor();
  assert.deepEqual(problems, []);
});

test('a project named like markup renders as text', async () => {
  const {page, api, problems} = await as('zhang');
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment',
    fields: {name: kXssName, investor: '<script>alert(2)</script>', industry: 'electronics', total_investment: 5000}});
  await page.goto(`/#/projects/${encodeURIComponent(created.project_id)}`);
  assert.equal(await page.locator('h1.project-title').textContent(), kXssName);
  await page.goto('/#/board');
  await page.locator('.project-card', {hasText: kXssName}).waitFor();
  await page.goto('/#/projects?sort=-created');
  await page.locator('.projects-table a', {hasText: kXssName}).waitFor();
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.locator('#view script').count(), 0);
  await shot(page, 'projects-list');
  assert.deepEqual(problems, []);
});

test('the transition form is reachable and closable with the keyboard alone', async () => {
  const {page, api} = await as('zhang');
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {name: '键盘操作测试项目'}});
  await page.goto(`/#/projects/${encodeURIComponent(created.project_id)}`);
  await page.locator('.chain').waitFor();
  let reached = false;
  for (let presses = 0; presses < 80 && !reached; presses++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.closest('[data-transition="decline_lead"]') !== null);
  }
  assert.ok(reached, 'Tab never reached the decline_lead button');
  await page.keyboard.press('Enter');
  await page.locator('dialog[open] .transition-form').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'transition-comment');
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({state: 'detached'});
});

test('dragging a card to a column it may go to opens the transition form', async () => {
  const {page, api, problems} = await as('zhang');
  const name = '拖拽办理测试项目';
  await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {name, investor: '清远某科技有限公司',
    contact: '陈经理 139-0000-0003', industry: 'equipment', total_investment: 12000, promoting_unit: '招商二科'}});
  await page.goto('/#/board');
  const card = page.locator('[data-state="lead"] .project-card', {hasText: name});
  await card.dragTo(page.locator('[data-state="screening"]'));
  await page.locator('dialog .transition-form h2', {hasText: '受理线索'}).waitFor();
  await page.locator('dialog .transition-form button[type=submit]').click();
  await page.locator('[data-state="screening"] .project-card', {hasText: name}).waitFor();
  assert.deepEqual(problems, []);
});

test('the workflow view draws the rules and shows them on focus', async () => {
  const {page} = await as('zhang');
  await page.goto('/#/workflow');
  const edge = page.locator('g.edge[data-transition="pass_screening"]').first();
  await edge.focus();
  await page.locator('.rule-detail h2', {hasText: '初筛通过'}).waitFor();
  await page.locator('.rule-detail dd', {hasText: '科室负责人'}).waitFor();
  await shot(page, 'workflow');
});

test('times read in China time and dates as sent, whatever the browser zone', async () => {
  const far = await session(browser, server.url, 'zhang', {timezoneId: 'America/New_York'});
  const {page, api, problems} = far;
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {name: '时区测试项目'}});
  const target = `/api/projects/${encodeURIComponent(created.project_id)}`;
  // The date as clients send it, then in the tagged form old clients still send.
  await api('PATCH', target, {fields: {review_meeting_on: '2026-05-06'}});
  const edited = await api('PATCH', target, {fields: {review_meeting_on: {date: '2026-05-08'}}});
  const event = edited.events[0];
  assert.match(event.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
  assert.deepEqual(event.body.changes[0], {field: 'review_meeting_on', before: '2026-05-06', after: '2026-05-08'});
  const project = await api('GET', target);
  assert.equal(project.fields.review_meeting_on, '2026-05-08');
  assert.match(project.created_at, /\+08:00$/);

  await page.goto(`/#/projects/${encodeURIComponent(created.project_id)}`);
  const newest = page.locator('.timeline > li').first();
  await newest.waitFor();
  // China's wall-clock time of the edit, not New York's (twelve or thirteen hours behind).
  const shown = await newest.locator('div.muted').first().textContent();
  assert.ok(shown.includes(event.at.slice(11, 19)), `${shown} does not show ${event.at}`);
  assert.ok((await newest.textContent()).includes('2026-05-06'));
  assert.ok((await newest.textContent()).includes('2026-05-08'));
  await far.context.close();
  assert.deepEqual(problems, []);
});

test('the console is usable at tablet width', async () => {
  const tablet = await session(browser, server.url, 'li', {viewport: {width: 820, height: 1180}});
  await tablet.page.goto(`/#/projects/${encodeURIComponent(projectId)}`);
  await tablet.page.locator('.chain').waitFor();
  const overflow = await tablet.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await shot(tablet.page, 'tablet-project');
  await tablet.context.close();
});
