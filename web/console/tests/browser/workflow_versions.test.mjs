// The workflow page's versions (issue 15) in headless chromium against the real binary: a
// version deployed with `investflow workflow deploy` into the running server's database
// shows up without a restart, with its projects by stage; the changes between two versions
// read as Chinese sentences; an admin previews a migration (every refused project with its
// reasons, nothing changed) and confirms it. No internal id or English on the Chinese screen.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir, binary, repo} from './harness.mjs';

const users = {root: ['admin', 'staff'], zhang: 'staff'};
let database, server, browser;
const shots = artifactsDir();

// The shipped workflow as version 5: its lead stage renamed, a field added.
function version4() {
  let text = readFileSync(path.join(repo, 'workflows', 'definitions', 'qingyuan-investment.yaml'), 'utf8');
  const replace = (from, to) => {
    assert.ok(text.includes(from), from);
    text = text.replace(from, to);
  };
  replace('\nversion: 4\n', '\nversion: 5\n');
  replace('label: {zh-CN: 线索, en: Lead}', 'label: {zh-CN: 项目线索, en: Project lead}');
  replace('\nfields:\n', '\nfields:\n  site_visit_note: {type: text, group: basic, label: {zh-CN: 考察记录, en: Site visit note}}\n');
  return text;
}

// Label texts in the versions section that show an internal id or English.
async function englishInVersions(page) {
  return page.evaluate(() => {
    const out = [];
    for (const element of document.querySelectorAll('#workflow-versions :is(th, td, li, p, h2, h3, button, label, option)')) {
      const clone = element.cloneNode(true);
      for (const user of clone.querySelectorAll('[data-user]')) user.remove();
      // Dates and counts are digits; an expression in backticks is the rule as written.
      const text = clone.textContent.replace(/`[^`]*`/g, '');
      if (/[A-Za-z]{2,}/.test(text)) out.push(text.trim());
    }
    return out;
  });
}

before(async () => {
  database = makeDatabase(users, {projects: 24});
  server = await startServer(database.db);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

test('a version deployed into the running server shows with its projects and the changes', async () => {
  const file = path.join(database.dir, 'qingyuan-investment-4.yaml');
  writeFileSync(file, version4());
  const out = execFileSync(binary(), ['workflow', 'deploy', database.db, file], {encoding: 'utf8'});
  assert.match(out, /deployed qingyuan-investment v5/);

  const {page, problems, api} = await session(browser, server.url, 'root');
  // The server takes it within seconds: a new project starts on version 5.
  let created = null;
  for (let i = 0; i < 50 && !created; i++) {
    const list = await api('GET', '/api/workflows');
    if (list.workflows.some((item) => item.id === 'qingyuan-investment' && item.version === 5)) {
      created = await api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {name: '第四版测试项目'}});
    } else {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  assert.ok(created, 'the server did not take version 5');
  assert.equal((await api('GET', `/api/projects/${created.project_id}`)).workflow_version, 5);

  await page.goto('/#/workflow?id=qingyuan-investment');
  const table = page.locator('#versions-table');
  await table.locator('tbody tr').nth(1).waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2);
  const newest = table.locator('tr[data-version="5"]');
  assert.match(await newest.textContent(), /第 5 版/);
  assert.match(await newest.textContent(), /新项目使用此版/);
  assert.match(await newest.textContent(), /项目线索 1/);
  assert.match(await table.locator('tr[data-version="4"]').textContent(), /第 4 版/);

  const diff = page.locator('#workflow-diff');
  await diff.locator('li').first().waitFor();
  const sentences = await diff.locator('li').allTextContents();
  assert.ok(sentences.includes('状态“线索”更名为“项目线索”。'), sentences.join('\n'));
  assert.ok(sentences.includes('新增字段“考察记录”（文本）。'), sentences.join('\n'));
  // The other direction reads the other way round.
  await page.selectOption('#diff-from', '5');
  await page.selectOption('#diff-to', '4');
  await page.click('#diff-show');
  await diff.locator('li', {hasText: '状态“项目线索”更名为“线索”。'}).waitFor();
  assert.deepEqual(await englishInVersions(page), []);
  await page.screenshot({path: path.join(shots, 'workflow-versions.png'), fullPage: true});
  assert.deepEqual(problems, []);
});

test('an admin previews a migration, sees every refusal in Chinese, and confirms it', async () => {
  const {page, problems, api} = await session(browser, server.url, 'root');
  const before = await api('GET', '/api/workflows/qingyuan-investment/versions');
  const onOld = before.versions.find((item) => item.version === 4).projects.total;
  assert.ok(onOld > 0);

  await page.goto('/#/workflow?id=qingyuan-investment');
  await page.click('#migrate-open');
  await page.locator('#migrate-map tbody tr').first().waitFor();
  assert.equal(await page.inputValue('#migrate-to'), '5');
  // Stages of the same name map onto themselves by default.
  const lead = page.locator('#migrate-map select[data-from="lead"]');
  if (await lead.count()) assert.equal(await lead.inputValue(), 'lead');

  await page.click('#migrate-preview');
  await page.locator('#migrate-rows tbody tr').first().waitFor();
  const summary = await page.locator('.migrate-summary').textContent();
  assert.match(summary, /预览/);
  assert.match(summary, /尚未改动任何数据/);
  const after = await api('GET', '/api/workflows/qingyuan-investment/versions');
  assert.equal(after.versions.find((item) => item.version === 4).projects.total, onOld, 'the preview changed nothing');
  // Every refused project lists its reasons.
  for (const row of await page.locator('#migrate-rows tr[data-outcome="refused"]').all()) {
    assert.ok(await row.locator('li').count() > 0);
  }
  assert.deepEqual(await englishInVersions(page), []);
  await page.screenshot({path: path.join(shots, 'workflow-migrate-preview.png'), fullPage: true});

  const wouldMove = await page.locator('#migrate-rows tr[data-outcome="would_move"]').count();
  if (wouldMove > 0) {
    await page.click('#migrate-confirm');
    // Each project moves in its own transaction; slow under sanitizers and a loaded machine.
    await page.locator('#migrate-result .error-box, .migrate-summary:has-text("已迁移")').first()
      .waitFor({timeout: 60000});
    assert.equal(await page.locator('#migrate-result .error-box').count(), 0,
      await page.locator('#migrate-result').textContent());
    const moved = await api('GET', '/api/workflows/qingyuan-investment/versions');
    assert.equal(moved.versions.find((item) => item.version === 4).projects.total, onOld - wouldMove);
    // Every hash chain and replay holds across the migration (throws unless verify exits 0).
    execFileSync(binary(), ['verify', database.db], {encoding: 'utf8'});
  }
  assert.deepEqual(problems, []);
});
