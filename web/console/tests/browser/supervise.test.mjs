// The follow-up service desk in the console (issue 17) in headless chromium against the real
// binary: the light and the 督办 dialog on a problem (the project named, Chinese texts, the
// server's Chinese refusal, the level shown after), the 转交 dialog on a project, and the
// 人员交接 page for admins (every handed-over project listed), hidden from staff.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, binary, repo} from './harness.mjs';

const users = {root: 'admin', li: 'manager', chen: 'leader', zhang: 'staff', zhou: 'staff', qian: 'staff'};
let database, server, browser;
const shots = artifactsDir();
// The refusals this test provokes on purpose are logged by the browser as failed loads.
const unexpected = (problems) => problems.filter((problem) => !/status of 422/.test(problem));

// Label texts inside `selector` that show English or an internal id (user data aside).
async function englishIn(page, selector) {
  return page.evaluate((root) => {
    const out = [];
    for (const element of document.querySelectorAll(`${root} :is(h2, label, button, option, p, th, td, li)`)) {
      if (element.closest('[data-user], datalist')) continue;  // user data, suggested logins
      const clone = element.cloneNode(true);
      for (const user of clone.querySelectorAll('[data-user], input, textarea')) user.remove();
      // Dates, a login quoted in a message, and the login of a holder shown in brackets in an
      // option: user data.
      let text = clone.textContent.replace(/\d{4}-\d{2}-\d{2}/g, '').replace(/“[^”]*”/g, '');
      if (element.tagName === 'OPTION') text = text.replace(/（[^）]*）/g, '');
      if (/[A-Za-z]{2,}/.test(text)) out.push(text.trim());
    }
    return out;
  }, selector);
}

before(async () => {
  database = makeDatabase(users, {projects: 0});
  const data = path.join(repo, 'tests', 'data', 'service');
  execFileSync(binary(), ['workflow', 'deploy', database.db, path.join(data, 'desk-project.yaml'),
    path.join(data, 'desk-problem.yaml')], {encoding: 'utf8'});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

async function deskProject(api, id, officer = 'zhou') {
  await api('POST', '/api/projects', {workflow: 'desk-project', id,
    fields: {name: `园区项目${id}`, service_officer: officer, liaison_leader: 'chen'}});
}

test('a manager supervises a problem from its page: the dialog names it, refusals are Chinese', async () => {
  const {page, problems, api} = await session(browser, server.url, 'li');
  await deskProject(api, 'D-1');
  const staff = await session(browser, server.url, 'zhang');
  await staff.api('POST', '/api/projects', {workflow: 'desk-problem', id: 'Q-1', parent: 'D-1',
    fields: {title: '用电接入迟迟未办', handler: 'zhou'}});

  await page.goto('/#/projects/Q-1');
  const light = page.locator('.project-desk .light');
  await light.waitFor();
  assert.match(await light.textContent(), /^(绿灯|黄灯|红灯)$/);
  await page.click('#supervise-button');
  const dialog = page.locator('#supervise-dialog');
  await dialog.waitFor();
  assert.equal(await dialog.locator('.dialog-subject').textContent(), '用电接入迟迟未办');
  assert.deepEqual(await dialog.locator('#supervise-level option').allTextContents(), ['黄牌']);
  await page.fill('#supervise-reason', '   ');
  await dialog.locator('button[type=submit]').click();
  await dialog.locator('.reason', {hasText: '请填写督办理由'}).waitFor();
  assert.deepEqual(await englishIn(page, '#supervise-dialog'), []);
  await page.screenshot({path: path.join(shots, 'supervise-dialog.png')});
  await page.fill('#supervise-reason', '逾期三天未签收');
  await dialog.locator('button[type=submit]').click();
  await page.locator('.supervision-level', {hasText: '黄牌'}).waitFor();
  // The history says it: level, new due date, reason.
  const entry = page.locator('.timeline li', {has: page.locator('.history-desk')}).first();
  assert.match(await entry.textContent(), /督办.*督办级别：黄牌 · 新的办理期限：\d{4}-\d{2}-\d{2}.*逾期三天未签收/);
  // Red cards are the leader's: the manager has no higher level left.
  assert.equal(await page.locator('#supervise-button').count(), 0);
  const project = await api('GET', '/api/projects/Q-1');
  assert.equal(project.supervision_level, 'yellow_card');
  const history = await api('GET', '/api/projects/Q-1/history');
  assert.ok(history.events.some((event) => event.type === 'supervised' && event.body.reason === '逾期三天未签收'));

  const leader = await session(browser, server.url, 'chen');
  await leader.page.goto('/#/projects/Q-1');
  await leader.page.click('#supervise-button');
  assert.deepEqual(await leader.page.locator('#supervise-level option').allTextContents(), ['红牌', '挂牌督办']);
  assert.deepEqual(unexpected(problems), []);
  assert.deepEqual(unexpected(staff.problems), []);
});

test('a manager reassigns the service officer; an unknown user is refused in Chinese', async () => {
  const {page, problems, api} = await session(browser, server.url, 'li');
  await deskProject(api, 'D-2');
  await page.goto('/#/projects/D-2');
  await page.click('#reassign-button');
  const dialog = page.locator('#reassign-dialog');
  await dialog.waitFor();
  assert.equal(await dialog.locator('.dialog-subject').textContent(), '园区项目D-2');
  await page.selectOption('#reassign-holder', 'service_officer');
  await page.fill('#reassign-to', 'nobody');
  await page.fill('#reassign-reason', '调岗');
  await dialog.locator('button[type=submit]').click();
  await dialog.locator('.reason', {hasText: '没有用户“nobody”（或已停用）'}).waitFor();
  assert.deepEqual(await englishIn(page, '#reassign-dialog'), []);
  await page.fill('#reassign-to', 'qian');
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({state: 'detached'});
  const project = await api('GET', '/api/projects/D-2');
  assert.equal(project.fields.service_officer, 'qian');
  assert.deepEqual(unexpected(problems), []);

  // Staff see neither button nor the handover page's link.
  const staff = await session(browser, server.url, 'zhang');
  await staff.page.goto('/#/projects/D-2');
  await staff.page.locator('.project-title').waitFor();
  assert.equal(await staff.page.locator('#reassign-button').count(), 0);
  assert.equal(await staff.page.locator('nav a[href="#/handover"]').count(), 0);
});

test('an admin hands a departing officer\'s projects over and sees each listed', async () => {
  const {page, problems, api} = await session(browser, server.url, 'root');
  const manager = await session(browser, server.url, 'li');  // managers register desk projects
  await deskProject(manager.api, 'D-3');
  await deskProject(manager.api, 'D-4');
  await page.click('nav a[href="#/handover"]');
  await page.locator('#handover-from').waitFor();
  await page.fill('#handover-from', 'zhou');
  await page.fill('#handover-to', 'qian');
  await page.selectOption('#handover-holder', 'service_officer');
  await page.fill('#handover-reason', '周某调离');
  await page.click('.handover-form button[type=submit]');
  const summary = page.locator('.handover-summary');
  await summary.waitFor();
  // D-1, D-3 and D-4 were zhou's (D-2 was handed to qian before).
  assert.equal(await summary.textContent(), '已转交 3 项，未转交 0 项');
  const rows = page.locator('#handover-results tbody tr');
  assert.equal(await rows.count(), 3);
  for (const row of await rows.all()) {
    assert.match(await row.textContent(), /服务专员已转交$/);
  }
  assert.deepEqual(await englishIn(page, '#view'), []);
  await page.screenshot({path: path.join(shots, 'handover.png'), fullPage: true});
  assert.equal((await api('GET', '/api/projects/D-4')).fields.service_officer, 'qian');
  assert.deepEqual(unexpected(problems), []);
});
