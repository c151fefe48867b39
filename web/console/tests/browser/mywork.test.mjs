// Issue 22 in headless chromium against the real binary: 我的待办 as the landing page with
// its count in the header (item 3); the inbox's pages, type filter, settings and no badge at
// 0 (item 7); a blind committee review, the secretariat told at quorum and the review's
// record after it closes (item 8); comments with @mentions, refused to the auditor (item 11).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {makeDatabase, startServer, launchBrowser, session, artifactsDir} from './harness.mjs';

const users = {zhang: 'staff', wang: 'secretariat', r1: 'reviewer', r2: 'reviewer', r3: 'reviewer',
  li: 'manager', audit: 'auditor'};
let database, server, browser;
const shots = artifactsDir();
// Refusals provoked on purpose are logged by the browser as failed loads.
const unexpected = (problems) => problems.filter((problem) => !/status of 4(03|22)/.test(problem));

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

const transition = (id, fields = {}, comment = '') => ({transition: id, fields, comment});

// A lead of zhang's brought to the committee's review.
async function atCommittee(as) {
  const created = await as.zhang('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {
    name: '背靠背评审项目', investor: '广东新材科技有限公司', contact: '刘经理 138-0000-0002',
    industry: 'new_materials', total_investment: 30000, promoting_unit: '招商一科'}});
  const path = `/api/projects/${created.project_id}`;
  await as.zhang('POST', `${path}/transitions`, transition('accept_lead'));
  await as.zhang('PATCH', path, {fields: {chain_role: 'strengthen', project_kind: 'manufacturing',
    land_type: 'existing_land', fixed_asset_investment: 27000, land_area: 75, expected_output: 90000,
    expected_tax: 3000, energy_consumption: 500}});
  await as.li('POST', `${path}/transitions`, transition('pass_screening'));
  await as.zhang('POST', `${path}/transitions`, transition('submit_for_review'));
  await as.wang('POST', `${path}/transitions`, transition('pass_preliminary', {outside_red_line: true,
    complies_sanxian_yidan: true, not_forbidden_category: true, emissions_ok: true, safety_ok: true,
    review_meeting_on: new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10)}));
  return created.project_id;
}

test('我的待办, comments with @mentions, a blind review and the inbox', async () => {
  const zhang = await session(browser, server.url, 'zhang');
  const li = await session(browser, server.url, 'li');
  const wang = await session(browser, server.url, 'wang');
  const r1 = await session(browser, server.url, 'r1');
  const r2 = await session(browser, server.url, 'r2');
  const audit = await session(browser, server.url, 'audit');
  const as = {zhang: zhang.api, li: li.api, wang: wang.api, r1: r1.api};
  const id = await atCommittee(as);
  // A fresh lead of zhang's: accepting it is a next action of theirs.
  const second = await as.zhang('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {
    name: '评论测试项目', investor: '清远评论科技有限公司', contact: '陈经理 138-0000-0003',
    industry: 'new_materials', total_investment: 5000, promoting_unit: '招商一科'}});

  // Item 3: the landing page is 我的待办; the reviewer owes a vote, counted in the header.
  await r2.page.goto('/');
  await r2.page.waitForURL(/#\/work$|\/$/);
  const votes = r2.page.locator('.work-section[data-section="votes"]');
  await votes.locator('a', {hasText: '背靠背评审项目'}).waitFor();
  await r2.page.locator('#work-link', {hasText: /待办 [1-9]/}).waitFor();
  await r2.page.screenshot({path: path.join(shots, 'mywork-work.png'), fullPage: true});
  // zhang's open project offers a next action there.
  await zhang.page.goto('/#/work');
  await zhang.page.locator('.work-section[data-section="actions"] li', {hasText: '评论测试项目 · 线索 → 受理线索'}).waitFor();

  // Item 8: blind ballots. r1 votes; r2 sees only the count until voting.
  await r1.api('POST', `/api/projects/${id}/votes`, {choice: 'reject', comment: '风险较高'});
  await r2.page.goto(`/#/projects/${id}`);
  await r2.page.locator('.blind-hidden', {hasText: '已有 1 票'}).waitFor();
  assert.equal(await r2.page.locator('.review-stats + .blind-hidden + table tbody tr').count(), 0);
  assert.equal(await r2.page.getByText('风险较高').count(), 0, 'no ballot comment before voting');
  await r2.page.click('.vote-button[data-choice="approve"]');
  await r2.page.getByText('风险较高').first().waitFor();
  // Two of three: the quorum is reached and the secretariat is told.
  await wang.page.goto('/#/notifications?type=vote_cast');
  // Delivered by the server's dispatcher, then shown live: slower than a page's own request
  // when the machine is busy.
  await wang.page.locator('.inbox li', {hasText: '达到法定票数'}).waitFor({timeout: 30000});
  // The secretariat decides; the record stays on the project page.
  await as.r1('POST', `/api/projects/${id}/votes`, {choice: 'reject', comment: '风险较高，改为不同意'});
  const r3 = await session(browser, server.url, 'r3');
  await r3.api('POST', `/api/projects/${id}/votes`, {choice: 'reject'});
  await wang.api('POST', `/api/projects/${id}/transitions`, transition('reject', {}, '多数不同意'));
  await zhang.page.goto(`/#/projects/${id}`);
  const closed = zhang.page.locator('.closed-review');
  await closed.locator('.review-decision', {hasText: '评审不通过'}).waitFor();
  assert.match(await closed.locator('.review-tally').textContent(), /不同意 2/);
  assert.equal(await zhang.page.locator('#comment-text').count(), 0, 'no comments on a finished project');
  await zhang.page.screenshot({path: path.join(shots, 'mywork-closed-review.png'), fullPage: true});

  // Item 11: comments. The auditor sees no form (and the server refuses one).
  await audit.page.goto(`/#/projects/${second.project_id}`);
  await audit.page.locator('section.comments h2').waitFor();
  assert.equal(await audit.page.locator('#comment-text').count(), 0);
  await assert.rejects(audit.api('POST', `/api/projects/${second.project_id}/comments`, {text: '看看'}), /403/);
  // zhang mentions li with the @ suggestions.
  await zhang.page.goto(`/#/projects/${second.project_id}`);
  await zhang.page.locator('#comment-text').pressSequentially('请 @l');
  await zhang.page.click('.mention-option[data-user="li"]');
  await zhang.page.locator('#comment-text').pressSequentially('安排初筛');
  await zhang.page.click('.comment-form button[type=submit]');
  await zhang.page.locator('.comment-list .comment-text', {hasText: '@li 安排初筛'}).waitFor();
  // li is told: the mention is in li's 我的待办 and inbox (live, without reloading).
  await li.page.goto('/#/work');
  await li.page.locator('.work-section[data-section="mentions"] a', {hasText: '评论测试项目'}).waitFor();

  // Item 7: the inbox pages, filters by type, settings; the bell shows no badge at 0.
  await li.page.goto('/#/notifications?limit=1');
  const items = li.page.locator('.inbox li');
  await items.first().waitFor();
  assert.equal(await items.count(), 1);
  await li.page.click('.load-more');
  await li.page.waitForFunction(() => document.querySelectorAll('.inbox li').length === 2);
  await li.page.selectOption('#inbox-type', 'commented');
  await li.page.waitForURL(/type=commented/);
  await li.page.locator('.inbox li[data-type="commented"]').first().waitFor();
  await li.page.click('.inbox-settings summary');
  await li.page.selectOption('#setting-deadlines', 'digest');
  await li.page.locator('#toast', {hasText: '通知设置已保存'}).waitFor();
  assert.equal((await li.api('GET', '/api/me/notification-settings')).deadlines, 'digest');
  await li.page.click('#mark-all-read');
  await li.page.waitForFunction(() => {
    const badge = document.querySelector('#bell-count');
    return badge && (badge.hidden || getComputedStyle(badge).display === 'none');
  });
  await li.page.screenshot({path: path.join(shots, 'mywork-inbox.png'), fullPage: true});

  for (const user of [zhang, li, wang, r1, r2, r3, audit]) {
    assert.deepEqual(unexpected(user.problems), []);
    await user.context.close();
  }
});

// A notice that reaches the page while the inbox renders (its list already read, its live
// listener not yet added) still shows: the console hands the page what the stream brought
// meanwhile. The list's answer is held back here until the notice has reached the page.
test('a notice arriving while the inbox loads is shown', async () => {
  const zhang = await session(browser, server.url, 'zhang');
  const li = await session(browser, server.url, 'li');
  const created = await zhang.api('POST', '/api/projects', {workflow: 'qingyuan-investment', fields: {
    name: '加载中通知项目', investor: '清远加载科技有限公司', contact: '陈经理 138-0000-0004',
    industry: 'new_materials', total_investment: 5000, promoting_unit: '招商一科'}});
  const before = (await li.api('GET', '/api/notifications?unread=true&limit=1')).unread;
  let read, release;
  const listRead = new Promise((resolve) => { read = resolve; });
  const released = new Promise((resolve) => { release = resolve; });
  await li.page.route(/\/api\/notifications\?limit=\d+$/, async (route) => {
    const response = await route.fetch();  // answered by the server now, without the notice
    read();
    await released;
    await route.fulfill({response});
  }, {times: 1});
  await li.page.goto('/#/notifications');
  await listRead;
  await zhang.api('POST', `/api/projects/${created.project_id}/comments`, {text: '@li 请看', mentions: ['li']});
  // The notice has reached the page: the bell counts it.
  await li.page.locator('#bell-count', {hasText: String(before + 1)}).waitFor({timeout: 30000});
  release();
  await li.page.locator('.inbox li', {hasText: '加载中通知项目'}).waitFor();
  for (const user of [zhang, li]) {
    assert.deepEqual(unexpected(user.problems), []);
    await user.context.close();
  }
});
