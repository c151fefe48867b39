// 到位资金 and targets (issue 16) in headless chromium against the real binary: staff record
// a funds entry on the project page (a bad one is refused in Chinese), the cumulative sum,
// the rate and the computed values show; a manager sets a target on the 目标 page and sees
// the progress and the ranking. No English or internal id on the Chinese screens.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, hasCjk, labelTexts} from './harness.mjs';

const users = {zhang: 'staff', li: 'manager'};
let database, server, browser;
const shots = artifactsDir();

function thisMonth() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);
}

before(async () => {
  database = makeDatabase(users, {projects: 0});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

// Labels that are not Chinese (an internal id or an English server message).
async function nonChinese(page, selector) {
  const texts = await labelTexts(page);
  const inside = await page.locator(selector).allTextContents();
  return texts.filter((text) => inside.some((block) => block.includes(text)))
    .filter((text) => !hasCjk(text) && /[A-Za-z]{2,}/.test(text));
}

test('staff record funds in place and see the sum, the rate and the computed values', async () => {
  const {page, problems, api} = await session(browser, server.url, 'zhang');
  const created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {
    name: '到位资金测试项目', total_investment: 20000, fixed_asset_investment: 15000, land_area: 50,
    expected_output: 30000, promoting_unit: '招商一科'}});
  const id = created.project_id;
  await page.goto(`/#/projects/${id}`);
  const section = page.locator('#funds');
  await section.waitFor();
  assert.match(await section.textContent(), /暂无到位资金记录/);
  // Computed values with their labels: 投资强度 15000 / 50 = 300.
  const intensity = page.locator('[data-computed="investment_intensity"]');
  assert.equal((await intensity.textContent()).trim(), '300');
  assert.match(await page.locator('.computed-values').textContent(), /投资强度（万元\/亩）/);

  // A zero amount is refused with the engine's Chinese reason.
  await page.fill('#funds-month', thisMonth());
  await page.fill('#funds-amount', '0');
  await page.selectOption('#funds-source', 'other_province');
  await page.click('.funds-form button[type=submit]');
  await page.locator('.funds-form .form-message', {hasText: '到位金额不能为零'}).waitFor();

  await page.fill('#funds-amount', '5000');
  await page.fill('#funds-evidence', '银行回单 A-17');
  await page.click('.funds-form button[type=submit]');
  await section.locator('.funds-entries tbody tr').first().waitFor();
  const row = await section.locator('.funds-entries tbody tr').first().textContent();
  assert.match(row, /省外/);
  assert.match(row, /5,000|5000/);
  assert.match(row, /银行回单 A-17/);
  assert.match(await section.locator('.funds-total').textContent(), /5,000万元|5000万元/);
  // Over the planned investment (nothing committed yet): 5000 / 20000.
  assert.equal((await section.locator('.funds-rate').textContent()).trim(), '25.00%');

  const project = await api('GET', `/api/projects/${id}`);
  assert.equal(project.funds.length, 1);
  assert.equal(project.fields.funds_in_place, 5000);
  assert.equal(project.computed.funds_in_place_rate, 25);
  assert.equal(project.computed.investment_intensity, 300);

  assert.deepEqual(await nonChinese(page, '#funds'), []);
  await page.screenshot({path: path.join(shots, 'project-funds.png'), fullPage: true});
  // The refused entry above is the one 422 the browser logs.
  assert.deepEqual(problems.filter((problem) => !/status of 422/.test(problem)), []);
});

test('a manager sets a target and sees the progress and the ranking', async () => {
  const {page, problems, api} = await session(browser, server.url, 'li');
  await page.goto('/#/targets');
  const grid = page.locator('.targets-grid');
  await grid.waitFor();
  const input = grid.locator('input[data-unit="招商一科"][data-figure="funds"]');
  await input.fill('10000');
  await input.press('Tab');  // saved on change
  await page.locator('.targets-ranking tr[data-unit="招商一科"] td.rank', {hasText: '1'}).waitFor();
  const ranked = await page.locator('.targets-ranking tr[data-unit="招商一科"]').textContent();
  assert.match(ranked, /50\.0%/);  // 5000 of 10000
  assert.equal(await page.locator('.targets-ranking tr[data-unit="招商一科"] td[data-figure="funds"] .progress').getAttribute('aria-valuenow'), '50');
  const targets = await api('GET', `/api/targets?year=${new Date().getFullYear()}`);
  assert.equal(targets.targets.length, 1);
  assert.equal(targets.targets[0].value, 10000);
  assert.equal(targets.history[0].by, 'li');
  await page.locator('text=修改记录').waitFor();
  assert.deepEqual(await nonChinese(page, '#view'), []);
  await page.screenshot({path: path.join(shots, 'targets.png'), fullPage: true});
  assert.deepEqual(problems, []);

  // Staff see no targets link and cannot set one.
  const staff = await session(browser, server.url, 'zhang');
  assert.equal(await staff.page.locator('#app-header a[href="#/targets"]').count(), 0);
  await assert.rejects(staff.api('PUT', '/api/targets', {year: 2026, unit: '招商一科', figure: 'funds', value: 1}),
    /403/);
});
