// 用户管理 in headless chromium against the real binary: an admin adds a user (a weak password
// refused in Chinese), gives roles (shown by their Chinese labels), disables and enables them
// (the login refused meanwhile), makes an API token whose secret is shown once with a copy
// button and then works, revokes it, deletes the user (the dialog names them) and is refused
// deleting the last admin; a non-admin sees neither the menu entry nor the page; axe.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir} from './harness.mjs';

const users = {root: 'admin', zhang: 'staff', li: 'manager'};
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = artifactsDir();
let database, server, browser;
// The refusals this test provokes on purpose are logged by the browser as failed loads.
const unexpected = (problems) => problems.filter((problem) => !/status of (409|422)/.test(problem));

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

// Label texts inside `selector` that show English or an internal key (user data aside).
async function englishIn(page, selector) {
  return page.evaluate((root) => {
    const out = [];
    for (const element of document.querySelectorAll(`${root} :is(h1, h2, label, legend, button, option, p, th, td, li, small)`)) {
      if (element.closest('[data-user]')) continue;
      const clone = element.cloneNode(true);
      for (const user of clone.querySelectorAll('[data-user], input, textarea, select')) user.remove();
      const text = clone.textContent.replace(/“[^”]*”/g, '');
      if (/[A-Za-z]{2,}/.test(text)) out.push(text.trim());
    }
    return out;
  }, selector);
}

async function logsIn(name, password) {
  const response = await fetch(`${server.url}/api/login`, {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username: name, password})});
  return response.status;
}

async function meWith(secret) {
  return (await fetch(`${server.url}/api/me`, {headers: {Authorization: `Bearer ${secret}`}})).status;
}

const row = (page, login) => page.locator(`.users-table tr[data-login="${login}"]`);

test('an admin adds a user, sets roles, disables, makes a token seen once, revokes it, deletes', async () => {
  const {page, problems, api, context} = await session(browser, server.url, 'root');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: server.url});
  await page.click('nav a[href="#/users"]');
  await page.locator('.users-table').waitFor();
  assert.equal(await page.locator('h1').textContent(), '用户管理');
  // Roles by their Chinese labels, never their keys.
  assert.equal(await row(page, 'zhang').locator('.user-roles').textContent(), '招商专员');
  assert.equal(await row(page, 'li').locator('.user-roles').textContent(), '科室负责人');
  assert.equal(await row(page, 'root').locator('.user-roles').textContent(), '管理员');

  // Add: a weak password is refused with the server's Chinese reason.
  await page.click('#user-add');
  const add = page.locator('#user-add-dialog');
  await add.waitFor();
  await page.fill('#user-id', 'zhou');
  await page.fill('#user-name', '周敏');
  await page.fill('#user-unit', '招商二科');
  await page.check('#user-roles-staff');
  await page.fill('#user-password', 'aaaaaaaaaaaaaa');
  await add.locator('button[type=submit]').click();
  await add.locator('.reason', {hasText: '密码不能是同一字符重复或按顺序排列'}).waitFor();
  assert.deepEqual(await englishIn(page, '#user-add-dialog'), []);
  await page.screenshot({path: path.join(shots, 'users-add.png')});
  await page.fill('#user-password', 'zhou-secret-2026');
  await add.locator('button[type=submit]').click();
  await add.waitFor({state: 'detached'});
  await row(page, 'zhou').waitFor();
  assert.equal(await row(page, 'zhou').locator('.user-roles').textContent(), '招商专员');
  assert.equal(await row(page, 'zhou').locator('.user-state').textContent(), '启用');
  assert.equal(await row(page, 'zhou').locator('.user-unit').textContent(), '招商二科');
  assert.equal(await logsIn('zhou', 'zhou-secret-2026'), 200);

  // Edit the roles.
  await row(page, 'zhou').locator('.edit-user').click();
  const edit = page.locator('#user-edit-dialog');
  await edit.waitFor();
  assert.match(await edit.locator('h2').textContent(), /编辑用户：周敏（zhou）/);
  assert.ok(await page.isChecked('#edit-roles-staff'));
  assert.equal(await page.inputValue('#edit-unit'), '招商二科');
  await page.fill('#edit-unit', '招商一科');
  await page.check('#edit-roles-reviewer');
  await edit.locator('button[type=submit]').click();
  await edit.waitFor({state: 'detached'});
  await row(page, 'zhou').locator('.user-unit', {hasText: '招商一科'}).waitFor();
  await row(page, 'zhou').locator('.user-roles', {hasText: '招商专员、评审委员'}).waitFor();
  const listed = await api('GET', '/api/users');
  assert.deepEqual(listed.users.find((user) => user.id === 'zhou').roles, ['staff', 'reviewer']);

  // Disable: the login is refused; enable again.
  await row(page, 'zhou').locator('.toggle-user').click();
  await row(page, 'zhou').locator('.user-state', {hasText: '已停用'}).waitFor();
  assert.equal(await logsIn('zhou', 'zhou-secret-2026'), 401);
  await row(page, 'zhou').locator('.toggle-user').click();
  await row(page, 'zhou').locator('.user-state', {hasText: '启用'}).waitFor();

  // A token: the secret once, with a copy button and the warning.
  await page.click('#token-add');
  const make = page.locator('#token-add-dialog');
  await make.waitFor();
  await page.selectOption('#token-user', 'zhou');
  await page.fill('#token-name', '数据同步');
  await page.selectOption('#token-expires', '30');
  await make.locator('button[type=submit]').click();
  const shown = page.locator('#token-secret-dialog');
  await shown.waitFor();
  const secret = await page.inputValue('#token-secret');
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.match(await shown.locator('.secret-warning').textContent(), /只显示这一次/);
  assert.deepEqual(await englishIn(page, '#token-secret-dialog'), []);
  await page.screenshot({path: path.join(shots, 'users-token-secret.png')});
  await page.click('#token-copy');
  await page.locator('#toast', {hasText: '已复制到剪贴板'}).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  assert.equal(await meWith(secret), 200);
  await page.click('#token-secret-close');
  await shown.waitFor({state: 'detached'});
  // Never shown again: not in the page, not in the list.
  assert.ok(!(await page.content()).includes(secret));
  const tokenRow = page.locator('.tokens-table tr', {hasText: '数据同步'});
  await tokenRow.waitFor();
  assert.equal(await tokenRow.locator('.token-state').textContent(), '有效');
  assert.ok(!JSON.stringify(await api('GET', '/api/tokens')).includes(secret));

  // Revoke it.
  await tokenRow.locator('.revoke-token').click();
  const revoke = page.locator('#token-revoke-dialog');
  await revoke.waitFor();
  assert.equal(await revoke.locator('.dialog-subject').textContent(), '数据同步');
  await revoke.locator('button[type=submit]').click();
  await revoke.waitFor({state: 'detached'});
  await tokenRow.locator('.token-state', {hasText: '已撤销'}).waitFor();
  assert.equal(await tokenRow.locator('.revoke-token').count(), 0);
  // It was used once (GET /api/me above): the list says when, in China time.
  assert.match(await tokenRow.locator('.token-last-used').textContent(), /^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}/);
  assert.equal(await meWith(secret), 401);

  // Delete: the dialog names the user; the last admin is refused in Chinese.
  await row(page, 'root').locator('.delete-user').click();
  const last = page.locator('#user-delete-dialog');
  await last.waitFor();
  await last.locator('button[type=submit]').click();
  await last.locator('.reason', {hasText: '最后一个启用的管理员'}).waitFor();
  assert.deepEqual(await englishIn(page, '#user-delete-dialog'), []);
  await last.locator('button', {hasText: '取消'}).click();
  await last.waitFor({state: 'detached'});
  await row(page, 'zhou').locator('.delete-user').click();
  const remove = page.locator('#user-delete-dialog');
  await remove.waitFor();
  assert.equal(await remove.locator('.dialog-subject').textContent(), '周敏（zhou）');
  await page.screenshot({path: path.join(shots, 'users-delete.png')});
  await remove.locator('button[type=submit]').click();
  await remove.waitFor({state: 'detached'});
  await row(page, 'zhou').waitFor({state: 'detached'});
  assert.equal(await logsIn('zhou', 'zhou-secret-2026'), 401);

  assert.deepEqual(await englishIn(page, '#view'), []);
  await page.screenshot({path: path.join(shots, 'users.png'), fullPage: true});
  const audit = await api('GET', '/api/audit?actor=root&limit=50');
  const actions = audit.items.map((entry) => `${entry.action} ${entry.target}`);
  for (const expected of ['user_created zhou', 'user_changed zhou', 'user_disabled zhou', 'user_enabled zhou',
    'user_deleted zhou']) {
    assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
  }
  assert.ok(actions.some((action) => action.startsWith('token_created ')));
  assert.ok(actions.some((action) => action.startsWith('token_revoked ')));
  assert.deepEqual(unexpected(problems), []);
});

test('the page speaks English in English, server refusals included', async () => {
  const {page, problems} = await session(browser, server.url, 'root', {lang: 'en'});
  await page.goto('/#/users');
  await page.locator('.users-table').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Users');
  assert.equal(await row(page, 'zhang').locator('.user-roles').textContent(), 'Investment officer');
  await page.click('#user-add');
  await page.fill('#user-id', 'wu');
  await page.check('#user-roles-staff');
  await page.fill('#user-password', 'password1234');
  await page.locator('#user-add-dialog button[type=submit]').click();
  await page.locator('#user-add-dialog .reason', {hasText: 'that password is one of the first that attackers try'}).waitFor();
  assert.deepEqual(unexpected(problems), []);
});

test('a non-admin sees neither the menu entry nor the page', async () => {
  const {page, problems} = await session(browser, server.url, 'li');
  await page.locator('nav a[href="#/handover"]').waitFor();  // a manager's own admin page
  assert.equal(await page.locator('nav a[href="#/users"]').count(), 0);
  await page.goto('/#/users');
  await page.locator('h1', {hasText: '用户管理'}).waitFor();
  assert.equal(await page.locator('#view p.muted').textContent(), '只有管理员可以管理用户');
  assert.equal(await page.locator('.users-table, #user-add, #token-add').count(), 0);
  const staff = await session(browser, server.url, 'zhang');
  assert.equal(await staff.page.locator('nav a[href="#/users"]').count(), 0);
  // The server refuses them whatever the page shows.
  await assert.rejects(staff.api('GET', '/api/users'), /403/);
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

test('axe finds no serious or critical violation on the page and its dialogs', async () => {
  const {page, problems, api} = await session(browser, server.url, 'root');
  await api('POST', '/api/tokens', {user: 'zhang', name: '报表导出', expires_in_days: null});
  const found = [];
  for (const viewport of [{width: 1280, height: 800}, {width: 390, height: 844}]) {
    await page.setViewportSize(viewport);
    await page.goto('/#/users');
    await page.locator('.tokens-table').waitFor();
    await page.waitForTimeout(250);
    for (const violation of await axe(page)) found.push(`users @${viewport.width}: ${violation}`);
  }
  await page.setViewportSize({width: 1280, height: 800});
  await page.click('#user-add');
  await page.locator('#user-add-dialog').waitFor();
  for (const violation of await axe(page)) found.push(`add dialog: ${violation}`);
  await page.keyboard.press('Escape');
  await page.locator('#user-add-dialog').waitFor({state: 'detached'});
  await page.click('#token-add');
  await page.fill('#token-name', '门户对接');
  await page.locator('#token-add-dialog button[type=submit]').click();
  await page.locator('#token-secret-dialog').waitFor();
  for (const violation of await axe(page)) found.push(`secret dialog: ${violation}`);
  await page.click('#token-secret-close');
  assert.deepEqual(found, []);
  assert.deepEqual(problems, []);
});
