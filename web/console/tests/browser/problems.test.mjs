// The service desk in headless chromium against the real binary (issue 17): on a phone
// (390×844) a service officer records a visit on the project page's 问题台账 tab raising two
// problems (a missing category refuses the whole visit, in Chinese, writing nothing); the
// tab lists them; a manager filters the 问题台账 page by unit and downloads the export.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, hasCjk, labelTexts} from './harness.mjs';

const users = {zhang: 'staff', li: 'manager'};
let database, server, browser;
const shots = artifactsDir();
let parent = null;

before(async () => {
  database = makeDatabase(users, {projects: 40});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

// A seeded project in a stage where follow-up visits are due.
async function projectWithVisits(api) {
  for (const state of ['under_construction', 'site_secured', 'registered', 'signed', 'completed',
    'in_production', 'at_capacity']) {
    const page = await api('GET', `/api/projects?workflow=qingyuan-investment&state=${state}&limit=1`);
    if (page.projects.length) return page.projects[0];
  }
  throw new Error('the seed made no project with follow-up visits');
}

async function fillBlock(page, index, {title, category, unit}) {
  const block = page.locator(`.problem-block[data-index="${index}"]`);
  await block.locator('[data-field="title"] input').fill(title);
  if (category) await block.locator('[data-field="category"] select').selectOption(category);
  await block.locator('[data-field="responsible_unit"] select').selectOption(unit);
}

test('on a phone, a visit raises problems all or nothing and the tab lists them', async () => {
  const {page, problems, api} = await session(browser, server.url, 'zhang',
    {viewport: {width: 390, height: 844}});
  parent = await projectWithVisits(api);
  const visitsBefore = (parent.visits || []).length;
  await page.goto(`/#/projects/${encodeURIComponent(parent.id)}`);
  const tab = page.locator('#problems-tab');
  await tab.locator('h2').waitFor();
  assert.match(await tab.locator('h2').textContent(), /问题台账/);
  assert.match(await tab.textContent(), /暂无问题/);

  await tab.locator('.visit-problems summary').click();
  await page.fill('#visit-problems-summary', '月度走访，企业反映两项问题');
  await page.click('#add-problem');
  await page.click('#add-problem');
  await fillBlock(page, 0, {title: '临时用电增容', category: 'utilities', unit: 'utilities_supply'});
  await fillBlock(page, 1, {title: '流动资金贷款', unit: 'finance'});  // no category
  await page.screenshot({path: path.join(shots, 'problems-visit-phone.png'), fullPage: true});
  // Nothing sticks out of a phone's width.
  const widest = await page.evaluate(() => Math.max(...[...document.querySelectorAll(
    '#visit-problems, #visit-problems input, #visit-problems select, #visit-problems button')]
    .map((element) => element.getBoundingClientRect().right)));
  assert.ok(widest <= 391, `the visit form reaches ${widest}px on a 390px screen`);

  await page.click('#visit-problems button[type=submit]');
  const reasons = page.locator('#visit-problems .reasons li');
  await reasons.first().waitFor();
  const refusal = (await reasons.allTextContents()).join('\n');
  assert.match(refusal, /问题 2/);
  assert.match(refusal, /问题类别/);
  assert.ok(hasCjk(refusal));
  assert.equal((await api('GET', `/api/projects?parent=${encodeURIComponent(parent.id)}`)).projects.length, 0,
    'a refused visit wrote no problem');
  assert.equal((await api('GET', `/api/projects/${encodeURIComponent(parent.id)}`)).visits.length, visitsBefore);

  await page.locator('.problem-block[data-index="1"] [data-field="category"] select').selectOption('financing');
  await page.click('#visit-problems button[type=submit]');
  // The page reloads on the visit's live events: wait for the table as it ends up, not for
  // the first render, which a reload may replace before it is read.
  await page.waitForFunction(() =>
    document.querySelectorAll('#problems-tab .problems-table tbody tr').length === 2);
  const rows = await tab.locator('.problems-table tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.ok(rows.some((row) => row.includes('临时用电增容') && row.includes('水电气') && row.includes('水电气供应单位')), rows.join('\n'));
  assert.ok(rows.some((row) => row.includes('流动资金贷款') && row.includes('融资') && row.includes('财政局')), rows.join('\n'));
  assert.match(await tab.locator('.problems-open').textContent(), /未办结 2 个/);
  assert.equal((await api('GET', `/api/projects/${encodeURIComponent(parent.id)}`)).visits.length, visitsBefore + 1);
  await page.screenshot({path: path.join(shots, 'problems-tab-phone.png'), fullPage: true});
  // The refused visit's 422 is the one error the browser logs.
  assert.deepEqual(problems.filter((problem) => !/status of 422/.test(problem)), []);
});

test('the 问题台账 page filters by unit and exports what it shows', async () => {
  assert.ok(parent, 'the first test raised the problems');
  const {page, problems, context} = await session(browser, server.url, 'li');
  await page.goto('/#/problems');
  const table = page.locator('.problems-table');
  await table.locator('tbody tr').first().waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2);
  // The parent's name links to the project.
  assert.equal(await table.locator(`a[href="#/projects/${encodeURIComponent(parent.id)}"]`).count(), 2);

  await page.selectOption('#problems-unit', 'finance');
  await page.waitForFunction(() => location.hash.includes('responsible_unit=finance'));
  await page.waitForFunction(() => document.querySelectorAll('.problems-table tbody tr').length === 1);
  assert.match(await table.locator('tbody tr').first().textContent(), /流动资金贷款/);

  const href = await page.getAttribute('#problems-export', 'href');
  assert.match(href, /^\/api\/projects\/export\?/);
  assert.match(href, /responsible_unit=finance/);
  assert.match(href, /format=xlsx/);
  const download = await context.request.get(href);
  assert.equal(download.status(), 200);
  assert.equal((await download.body()).subarray(0, 2).toString(), 'PK');
  assert.match(download.headers()['content-disposition'], /xlsx/);

  // Chinese screen: no English label.
  const english = (await labelTexts(page)).filter((text) => /[A-Za-z]{3,}/.test(text));
  assert.deepEqual(english, []);
  await page.screenshot({path: path.join(shots, 'problems-ledger.png'), fullPage: true});
  assert.deepEqual(problems, []);
});
