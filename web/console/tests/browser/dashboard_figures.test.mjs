// The dashboard's figures (issue 16) in headless chromium against the real binary: a KPI
// tile opens the project list filtered to exactly the projects it counts (the list says by
// which figure), a funnel stage does the same, and the monthly report downloads as XLSX.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, hasCjk} from './harness.mjs';

const users = {boss: 'manager'};
let database, server, browser;
const shots = artifactsDir();

before(async () => {
  database = makeDatabase(users, {projects: 60});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

function todayIn(zone = 'Asia/Shanghai') {
  return new Intl.DateTimeFormat('en-CA', {timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit'})
    .format(new Date());
}

test('a KPI tile and a funnel stage open exactly the projects they count', async () => {
  const {page, problems, api} = await session(browser, server.url, 'boss');
  const from = '2015-01-01';
  const to = todayIn();
  const scope = `from=${from}&to=${to}&workflow=qingyuan-investment`;
  await page.goto(`/#/dashboard?${scope}`);
  const tile = page.locator('#dash-kpis .kpi[data-kpi="signed_projects"] a.kpi-value');
  await tile.waitFor();
  const counted = Number(await tile.textContent());
  const kpis = await api('GET', `/api/reports/kpis?${scope}`);
  assert.equal(counted, kpis.signed_projects);
  assert.ok(counted > 0, 'the seeded zone has signed projects');

  await tile.click();
  await page.locator('#figure-banner').waitFor();
  assert.match(page.url(), /figure=signed/);
  const banner = await page.locator('#figure-banner').textContent();
  assert.ok(banner.includes('新签约项目'), banner);
  assert.ok(hasCjk(banner));
  const listed = await api('GET', `/api/projects?figure=signed&${scope}&limit=500`);
  assert.equal(listed.projects.length, counted);
  const rows = page.locator('.projects-table tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), Math.min(counted, 50));
  // The rows are the counted projects.
  const shown = await page.locator('.projects-table tbody tr td.project-name a').evaluateAll(
    (links) => links.map((link) => decodeURIComponent(link.getAttribute('href').split('/').pop())));
  const ids = new Set(listed.projects.map((project) => project.id));
  for (const id of shown) assert.ok(ids.has(id), id);
  await page.screenshot({path: path.join(shots, 'dashboard-figure-list.png'), fullPage: true});

  // A KPI's numerator: the projects keeping their agreement, as many as the tile says.
  await page.goto(`/#/dashboard?${scope}`);
  const performing = page.locator('#dash-kpis .kpi[data-kpi="contract_performance_rate"] .muted a[data-figure="cohort_performing"]');
  await performing.waitFor();
  const numerator = Number(await performing.textContent());
  await performing.click();
  await page.locator('#figure-banner').waitFor();
  assert.ok((await page.locator('#figure-banner').textContent()).includes('履约项目'));
  const performingList = await api('GET', `/api/projects?figure=cohort_performing&${scope}&limit=500`);
  assert.equal(performingList.projects.length, numerator);
  if (numerator > 0) {
    await rows.first().waitFor();
    assert.equal(await rows.count(), Math.min(numerator, 50));
  }

  // A funnel stage: the projects created in the period that reached it.
  await page.goto(`/#/dashboard?${scope}`);
  const stage = page.locator('#dash-funnel .funnel-table a.figure-link').nth(1);
  await stage.waitFor();
  const reached = Number(await stage.textContent());
  const figure = await stage.getAttribute('data-figure');
  assert.match(figure, /^reached:/);
  await stage.click();
  await page.locator('#figure-banner').waitFor();
  const stageList = await api('GET', `/api/projects?figure=${encodeURIComponent(figure)}&${scope}&limit=500`);
  assert.equal(stageList.projects.length, reached);
  assert.deepEqual(problems, []);
});

test('the monthly report downloads as an XLSX workbook', async () => {
  const {page, problems} = await session(browser, server.url, 'boss');
  await page.goto('/#/dashboard?workflow=qingyuan-investment');
  const link = page.locator('#monthly-download');
  await link.waitFor();
  await page.fill('#dash-month', todayIn().slice(0, 7));
  await page.locator('#dash-month').dispatchEvent('change');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.match(download.suggestedFilename(), /^月报-\d{4}-\d{2}\.xlsx$/);
  const file = path.join(database.dir, 'monthly.xlsx');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK');
  assert.ok(bytes.includes(Buffer.from('xl/worksheets/sheet6.xml')), 'six sheets at least');
  await page.screenshot({path: path.join(shots, 'dashboard-monthly.png'), fullPage: true});
  assert.deepEqual(problems, []);
});

test('the breakdowns by industry and chain role and the stage times follow what the API counts', async () => {
  const {page, problems, api} = await session(browser, server.url, 'boss');
  const from = '2015-01-01';
  const to = todayIn();
  await page.goto(`/#/dashboard?from=${from}&to=${to}&workflow=qingyuan-investment`);
  const workflow = await api('GET', '/api/workflows/qingyuan-investment');
  for (const [key, tag] of [['by_industry', 'industry'], ['by_chain_role', 'chain_role']]) {
    const field = workflow.fields.find((candidate) => candidate.report === tag);
    const rows = page.locator(`#dash-${key} table tbody tr`);
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    assert.ok(shown.length >= field.options.length, `${key}: ${JSON.stringify(shown)}`);
    // Each option's count is the pipeline filtered to that option.
    for (const [index, option] of field.options.entries()) {
      const filtered = await api('GET', `/api/reports/pipeline?workflow=qingyuan-investment&${tag}=${option}`);
      assert.equal(Number(shown[index][1]), filtered.total.count, `${key} ${option}`);
      assert.ok(hasCjk(shown[index][0]), `${key}: the option's label, not ${shown[index][0]}`);
    }
  }
  // Stage times: the stages left in the chosen period.
  const aging = await api('GET', `/api/reports/aging?workflow=qingyuan-investment&from=${from}&to=${to}`);
  const agingRows = page.locator('#dash-aging table tbody tr');
  await agingRows.first().waitFor();
  const samples = await agingRows.evaluateAll((trs) => trs.map((tr) => Number(tr.cells[1].textContent)));
  assert.deepEqual(samples.slice(0, aging.stages.length), aging.stages.map((stage) => stage.samples));
  assert.ok(samples.some((count) => count > 0), 'the seeded zone left some stages');
  assert.deepEqual(problems, []);
});
