// Issue 22 items 4, 9, 10, 12 in headless chromium against the real binary: the board
// (filters, columns that scroll inside the viewport, the project named in its dialogs, a
// refused drop that says why, keyboard moves, amounts on one line, no red 0, three API
// calls), the dashboard for the roles that may read reports (and exact error texts), the
// phone (a compact header, the project's actions first, a thumb-sized visit form), the
// workflow diagram (page-wide, lanes for the ways back and out, '*' drawn once, a state's
// ways lit on focus), China time in a browser set to UTC, the favicon, and axe on every page.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir} from './harness.mjs';

const users = {zhang: 'staff', wang: 'staff', li: 'manager', zhao: 'auditor'};
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = artifactsDir();
let database, server, browser;

before(async () => {
  database = makeDatabase(users, {projects: 80});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

const shot = (page, name) => page.screenshot({path: path.join(shots, `board-${name}.png`), fullPage: false});

// A lead of zhang's with every field 受理线索 needs, so that it may move to 初筛.
async function ownLead(api, name) {
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {name,
    investor: '清远某材料有限公司', contact: '陈经理 139-0000-0003', industry: 'new_materials',
    total_investment: 12100, promoting_unit: '招商一科'}});
  return created.project_id;
}

// Lines a piece of text takes on screen.
function lineCount(locator) {
  return locator.evaluate((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
  });
}

test('the board loads in at most three API calls and scrolls inside the viewport', async () => {
  const {page, problems} = await session(browser, server.url, 'li');
  await page.goto('/#/board');
  await page.locator('.column .project-card').first().waitFor();
  const calls = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') && !/^\/api\/(me|notifications|stream)\b/.test(url.pathname)) {
      calls.push(url.pathname);
    }
  });
  await page.reload();
  await page.locator('.column .project-card').first().waitFor();
  await page.waitForLoadState('networkidle');
  assert.ok(calls.length <= 3, `board load made ${calls.length} calls: ${calls.join(', ')}`);
  assert.ok(calls.includes('/api/board'));

  const layout = await page.evaluate(() => {
    const board = document.querySelector('.board').getBoundingClientRect();
    const element = document.querySelector('.board');
    return {page: document.documentElement.scrollWidth - window.innerWidth, bottom: board.bottom,
      height: window.innerHeight, scrollable: element.scrollWidth - element.clientWidth,
      bar: getComputedStyle(element).overflowX, pageTall: document.documentElement.scrollHeight - window.innerHeight};
  });
  assert.ok(layout.page <= 1, `the page scrolls sideways by ${layout.page}px`);
  assert.ok(layout.scrollable > 0, 'the board does not scroll sideways itself');
  assert.ok(layout.bottom <= layout.height, `the board's scrollbar is below the viewport (${layout.bottom})`);
  assert.equal(layout.bar, 'scroll', 'the board\'s scrollbar is not always shown');
  assert.ok(layout.pageTall <= 40, `the page scrolls down by ${layout.pageTall}px`);

  // Amounts and column totals stay on one line; the column header's contrast holds.
  for (const locator of [page.locator('.project-card .money'), page.locator('.column-total')]) {
    const count = await locator.count();
    assert.ok(count > 0);
    for (let index = 0; index < count; index++) {
      assert.equal(await lineCount(locator.nth(index)), 1, `${await locator.nth(index).textContent()} wraps`);
    }
  }
  await shot(page, 'manager');
  assert.deepEqual(problems, []);
});

test('the board filters by mine, industry, owner and promoting unit', async () => {
  const {page, api, problems} = await session(browser, server.url, 'zhang');
  const mine = [await ownLead(api, '筛选测试项目甲'), await ownLead(api, '筛选测试项目乙')];
  await page.goto('/#/board');
  await page.locator('.column .project-card').first().waitFor();
  const cards = () => page.locator('.column .project-card');

  await page.check('#board-mine');
  await page.waitForFunction(() => location.hash.includes('mine=1'));
  await page.locator('.column .project-card').first().waitFor();
  const ids = await cards().evaluateAll((list) => list.map((card) => card.dataset.project));
  assert.deepEqual(ids.sort(), [...mine].sort());
  await page.click('#board-clear');
  await page.waitForFunction(() => !location.hash.includes('mine='));

  await page.selectOption('#board-industry', 'electronics');
  await page.waitForFunction(() => location.hash.includes('industry=electronics'));
  await cards().first().waitFor();
  const tags = await page.locator('.column .project-card .tag').allTextContents();
  assert.ok(tags.length > 0);
  assert.deepEqual([...new Set(tags)], ['高端电子信息制造']);
  await page.click('#board-clear');

  await page.waitForFunction(() => !location.hash.includes('industry='));
  const owner = await page.locator('#board-owner option[data-user]').first().getAttribute('value');
  await page.selectOption('#board-owner', owner);
  await page.waitForFunction((value) => location.hash.includes(`owner=${value}`), owner);
  await cards().first().waitFor();
  assert.deepEqual([...new Set(await page.locator('.column .project-card .owner [data-user]').allTextContents())], [owner]);
  await page.click('#board-clear');

  await page.waitForFunction(() => !location.hash.includes('owner='));
  const totalOf = () => page.locator('.column-count').evaluateAll((list) =>
    list.reduce((sum, element) => sum + Number(element.textContent.replace('+', '')), 0));
  await page.locator('.column-count').first().waitFor();
  const everything = await totalOf();
  const unit = await page.locator('#board-promoting-unit option[data-user]').first().getAttribute('value');
  await page.selectOption('#board-promoting-unit', unit);
  await page.waitForFunction(() => location.hash.includes('promoting_unit='));
  await page.locator('#board-clear').waitFor();
  const narrowed = await totalOf();
  const listed = await api('GET', `/api/board?workflow=qingyuan-investment&promoting_unit=${encodeURIComponent(unit)}`);
  assert.equal(narrowed, listed.columns.reduce((sum, column) => sum + (column.count ?? column.projects.length), 0));
  assert.ok(narrowed > 0 && narrowed < everything, `${narrowed} of ${everything}`);
  assert.deepEqual(problems, []);
});

test('dialogs name the project, a refused drop says why, keys move a card', async () => {
  const {page, api, problems} = await session(browser, server.url, 'zhang');
  const name = '键盘移动测试项目';
  const id = await ownLead(api, name);
  await page.goto('/#/board?mine=1');
  const card = page.locator(`.project-card[data-project="${id}"]`);
  await card.waitFor();

  // The action menu and the form both say which project they act on.
  await card.locator('button').click();
  await page.locator('dialog[open] .dialog-project', {hasText: name}).waitFor();
  await page.locator('dialog[open] [data-transition="accept_lead"] button').click();
  await page.locator('dialog[open] .transition-form .dialog-project', {hasText: name}).waitFor();
  assert.match(await page.locator('dialog[open]').getAttribute('aria-label'), new RegExp(name));
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({state: 'detached'});

  // A drop on a column no transition leads to: a Chinese message naming both.
  await card.dragTo(page.locator('[data-state="negotiating"]'));
  const refusal = page.locator('#board-refusal');
  await page.waitForFunction(() => document.querySelector('#board-refusal').textContent.length > 0);
  assert.match(await refusal.textContent(), new RegExp(`${name}.*不能.*洽谈对接`));
  assert.match(await page.locator('#toast').textContent(), /不能/);
  assert.equal(await page.locator('dialog[open]').count(), 0);

  // Keys: → focuses the next column's card, Shift+→ moves the project a stage on.
  await card.focus();
  await page.keyboard.press('Shift+ArrowRight');
  await page.locator('dialog[open] .transition-form h2', {hasText: '受理线索'}).waitFor();
  await page.locator('dialog[open] button[type=submit]').click();
  await page.locator(`[data-state="screening"] .project-card[data-project="${id}"]`).waitFor();
  const other = await ownLead(api, '键盘移动测试项目二');
  await page.goto('/#/board?mine=1');
  await page.locator(`[data-state="lead"] .project-card[data-project="${other}"]`).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.project), id);
  await shot(page, 'keys');
  assert.deepEqual(problems, []);
});

test('the bell shows no badge at zero', async () => {
  const {page, problems} = await session(browser, server.url, 'wang');
  await page.goto('/#/board');
  await page.locator('#bell').waitFor();
  await page.waitForTimeout(300);
  const unread = (await (await page.context().request.get('/api/notifications?unread=true&limit=1')).json()).unread;
  assert.equal(unread, 0);
  assert.equal(await page.locator('#bell-count').isVisible(), false);
  assert.deepEqual(problems, []);
});

test('the dashboard is for report readers, with exact error texts and no endless loading', async () => {
  const staff = await session(browser, server.url, 'zhang');
  assert.equal(await staff.page.locator('#app-header nav a[href="#/dashboard"]').count(), 0);
  await staff.page.goto('/#/dashboard');
  await staff.page.locator('#view .not-available', {hasText: '科室负责人'}).waitFor();
  assert.equal(await staff.page.locator('#view .panel').count(), 0);
  await staff.context.close();

  const {page, problems} = await session(browser, server.url, 'li');
  await page.locator('#app-header nav a[href="#/dashboard"]').waitFor();
  await page.goto('/#/dashboard?workflow=qingyuan-investment&from=2026-06-01&to=2026-01-01');
  await page.locator('#dash-range-error', {hasText: '结束日期早于开始日期'}).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.loading-note').length === 0, null, {timeout: 15000});
  assert.equal(await page.locator('#view', {hasText: '暂不可用：服务器尚未提供此功能'}).count(), 0);
  assert.match(await page.locator('#dash-kpis').textContent(), /结束日期早于开始日期/);
  // The form refuses it too, before asking the server.
  await page.goto('/#/dashboard?workflow=qingyuan-investment');
  await page.waitForFunction(() => document.querySelectorAll('.loading-note').length === 0, null, {timeout: 15000});
  await page.fill('#dash-from', '2026-05-01');
  await page.fill('#dash-to', '2026-04-01');
  await page.click('#view form.filters button[type=submit]');
  await page.locator('#dash-range-error', {hasText: '结束日期早于开始日期'}).waitFor();
  assert.ok(!(await page.evaluate(() => location.hash)).includes('from=2026-05-01'));
  // Every panel ends; none says "not available" for a report the server has.
  await page.goto('/#/dashboard?workflow=qingyuan-investment&from=2026-01-01&to=2026-12-31');
  await page.waitForFunction(() => document.querySelectorAll('.loading-note').length === 0, null, {timeout: 15000});
  assert.equal(await page.locator('#view .not-available', {hasText: '暂不可用'}).count(), 0);
  assert.deepEqual(problems, []);
});

test('on a phone: a compact header, the actions first, a visit form for one thumb', async () => {
  const {page, api, problems} = await session(browser, server.url, 'zhang', {viewport: {width: 390, height: 844}});
  const header = await page.locator('#app-header').boundingBox();
  assert.ok(header.height <= 56, `the header is ${header.height}px tall`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  let project = null;
  for (const state of ['under_construction', 'site_secured', 'registered', 'signed', 'completed']) {
    const listed = await api('GET', `/api/projects?workflow=qingyuan-investment&state=${state}&limit=1`);
    if (listed.projects.length) { project = listed.projects[0]; break; }
  }
  assert.ok(project, 'the seed made no project that takes visits');
  await page.goto(`/#/projects/${encodeURIComponent(project.id)}`);
  await page.locator('.transition-list, .transition-list + *, .project-side .panel').first().waitFor();
  const actions = await page.locator('.project-side .panel').first().boundingBox();
  const fields = await page.locator('.project-main').boundingBox();
  assert.ok(actions.y < fields.y, 'the actions come after the fields');
  assert.ok(actions.y < 844, `the actions start ${actions.y}px down`);
  // The follow-up visit form: one column, thumb-sized controls across the width.
  const form = page.locator('#visit-on').locator('xpath=ancestor::form');
  await form.scrollIntoViewIfNeeded();
  for (const selector of ['#visit-on', '#visit-summary', '#visit-issues', 'button[type=submit]']) {
    const box = await form.locator(selector).first().boundingBox();
    assert.ok(box.height >= 44, `${selector} is ${box.height}px tall`);
    assert.ok(box.width >= 300, `${selector} is ${box.width}px wide`);
  }
  await shot(page, 'phone-project');
  assert.deepEqual(problems, []);
});

test('the workflow diagram: page-wide, lanes labelled, any-state drawn once, ways lit', async () => {
  const {page, problems} = await session(browser, server.url, 'zhang');
  await page.goto('/#/workflow?id=qingyuan-investment');
  await page.locator('svg.diagram').waitFor();
  const widths = await page.evaluate(() => ({svg: document.querySelector('svg.diagram').getBoundingClientRect().width,
    wrap: document.querySelector('.diagram-wrap').clientWidth}));
  assert.ok(Math.abs(widths.svg - widths.wrap) <= 4, `the diagram is ${widths.svg}px in ${widths.wrap}px`);
  // Ways back and into final states run in lanes beside the nodes, each with its label.
  for (const kind of ['back', 'final']) {
    const edges = page.locator(`g.edge.${kind}`);
    assert.ok(await edges.count() > 0, `no ${kind} edges`);
    for (const edge of await edges.all()) {
      assert.equal(await edge.locator('text.edge-label').textContent(), await edge.getAttribute('aria-label'));
    }
  }
  assert.equal(await page.locator('g.edge.back[data-transition="return_from_preliminary"] text').textContent(), '退回补充材料');
  // No state is left without a way in or out.
  const orphans = await page.evaluate(() => [...document.querySelectorAll('g.node')].map((node) => node.dataset.state)
    .filter((id) => !document.querySelector(`g.edge[data-from="${id}"], g.edge[data-to="${id}"]`)));
  assert.deepEqual(orphans, []);
  // Focusing a state lights its ways in and out and dims the rest.
  await page.locator('g.node[data-state="negotiating"]').focus();
  const lit = await page.evaluate(() => ({
    lit: document.querySelector('svg.diagram').classList.contains('lit'),
    in: [...document.querySelectorAll('g.edge.way-in')].map((edge) => edge.dataset.transition),
    out: [...document.querySelectorAll('g.edge.way-out')].map((edge) => edge.dataset.transition)}));
  assert.ok(lit.lit);
  assert.ok(lit.in.includes('pass_screening') && lit.in.includes('return_from_preliminary'), lit.in.join());
  assert.ok(lit.out.includes('submit_for_review') && lit.out.includes('withdraw'), lit.out.join());
  await page.locator('.rule-detail h2', {hasText: '洽谈'}).waitFor();
  await shot(page, 'workflow');

  // A transition from any state ('*'): one node, one edge, lit as a way out of every open state.
  await page.goto('/#/workflow?id=standard-factory');
  await page.locator('g.node.any').waitFor();
  assert.equal(await page.locator('g.edge[data-transition="cancel"]').count(), 1);
  await page.locator('g.node[data-state="land"]').focus();
  assert.equal(await page.locator('g.edge.way-out[data-transition="cancel"]').count(), 1);
  assert.deepEqual(problems, []);
});

test('times read in China time in a browser set to UTC', async () => {
  const {page, api, problems} = await session(browser, server.url, 'zhang', {timezoneId: 'UTC'});
  assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'UTC');
  const id = await ownLead(api, '北京时间测试项目');
  const project = await api('GET', `/api/projects/${encodeURIComponent(id)}`);
  const clock = project.updated_at.slice(11, 19);  // "10:01:05" of "…T10:01:05.123+08:00"
  assert.match(project.updated_at, /\+08:00$/);
  await page.goto(`/#/projects/${encodeURIComponent(id)}`);
  await page.locator('.timeline > li').first().waitFor();
  assert.ok((await page.locator('.timeline').textContent()).includes(clock), `history does not show ${clock}`);
  await page.goto('/#/projects?sort=-updated');
  const row = page.locator('.projects-table tr', {hasText: '北京时间测试项目'});
  await row.waitFor();
  assert.ok((await row.textContent()).includes(clock), `the list does not show ${clock}`);
  assert.deepEqual(problems, []);
});

test('a favicon is served', async () => {
  const {page, problems} = await session(browser, server.url, 'zhang');
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  for (const url of [icon, '/favicon.ico']) {
    const response = await page.context().request.get(url);
    assert.equal(response.status(), 200, url);
    assert.match(response.headers()['content-type'], /^image\//);
  }
  assert.deepEqual(problems, []);
});

// axe-core in the page (evaluated through the debugger, so the console's CSP stays on).
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
  return result.violations.filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.slice(0, 3)
      .map((node) => `${node.target.join(' ')} ${node.failureSummary.split('\n').slice(1, 2).join('')}`).join(' | ')}`);
}

test('axe finds no serious or critical violation on any page', async () => {
  const manager = await session(browser, server.url, 'li');
  const listed = await manager.api('GET', '/api/projects?workflow=qingyuan-investment&state=negotiating&limit=1');
  const project = listed.projects[0].id;
  const pages = [['/#/board', '.column .project-card'], ['/#/projects', '.projects-table'],
    [`/#/projects/${encodeURIComponent(project)}`, '.chain'], ['/#/projects/new', 'form.new-project'],
    ['/#/dashboard', '#dash-pipeline table'], ['/#/workflow', 'svg.diagram'], ['/#/notifications', 'h1'],
    ['/#/problems', 'h1'], ['/#/targets', 'h1'], ['/#/handover', 'h1'], ['/#/import', 'h1']];
  const found = [];
  for (const viewport of [{width: 1280, height: 800}, {width: 390, height: 844}]) {
    await manager.page.setViewportSize(viewport);
    for (const [route, ready] of pages) {
      await manager.page.goto(route);
      await manager.page.locator(ready).first().waitFor();
      await manager.page.waitForTimeout(250);
      for (const violation of await axe(manager.page)) found.push(`${route} @${viewport.width}: ${violation}`);
    }
  }
  // The dialogs of the board, and the login page.
  await manager.page.setViewportSize({width: 1280, height: 800});
  await manager.page.goto('/#/board');
  await manager.page.locator('.column .project-card button').first().click();
  await manager.page.locator('dialog[open]').waitFor();
  for (const violation of await axe(manager.page)) found.push(`board dialog: ${violation}`);
  const auditor = await session(browser, server.url, 'zhao');
  await auditor.page.goto('/#/board');
  await auditor.page.locator('.column').first().waitFor();
  for (const violation of await axe(auditor.page)) found.push(`auditor board: ${violation}`);
  const context = await browser.newContext({baseURL: server.url});
  const login = await context.newPage();
  await login.goto('/#/login');
  await login.locator('#login-username').waitFor();
  for (const violation of await axe(login)) found.push(`login: ${violation}`);
  assert.deepEqual(found, []);
  assert.deepEqual(manager.problems, []);
});
