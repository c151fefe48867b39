// Test harness: a real investflow binary on a temporary database, and headless Debian
// chromium driven by playwright-core (no browser download).
import {spawn, execFileSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../../..');
export const kPassword = process.env.INVESTFLOW_TEST_PASSWORD || 'console-test-pass';

export function binary() {
  const value = process.env.INVESTFLOW_BINARY;
  if (!value) throw new Error('set INVESTFLOW_BINARY to the investflow executable');
  return value;
}

export function artifactsDir() {
  const dir = process.env.INVESTFLOW_ARTIFACTS || path.join(repo, 'build', 'browser-artifacts');
  mkdirSync(dir, {recursive: true});
  return dir;
}

function run(...args) {
  return execFileSync(binary(), args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

// A database with demo projects and one user per name given ({name: role}).
export function makeDatabase(users, {projects = 40} = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'investflow-console-'));
  const db = path.join(dir, 'console.db');
  run('init', db);
  if (projects > 0) run('seed', db, '--projects', String(projects));
  for (const [name, roles] of Object.entries(users)) {
    run('user', 'add', name, ...[roles].flat().flatMap((role) => ['--role', role]), '--password', kPassword, '--db', db);
  }
  return {dir, db, remove: () => rmSync(dir, {recursive: true, force: true})};
}

// Starts `investflow serve` on a free port (it prints the port it bound).
export async function startServer(db) {
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0', '--workflows',
    path.join(repo, 'workflows', 'definitions')];
  if (process.env.INVESTFLOW_STATIC_DIR) args.push('--static-dir', process.env.INVESTFLOW_STATIC_DIR);
  const child = spawn(binary(), args, {stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const found = stdout.match(/on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (found) { clearTimeout(timer); resolve(found[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${stderr}`)); });
  });
  return {
    url,
    stderr: () => stderr,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

// A user's own browser context (its own cookies), logged in through the login page.
// timezoneId: the browser's zone (default: the machine's).
export async function session(browser, baseURL, user,
  {lang = 'zh-CN', viewport = {width: 1280, height: 800}, timezoneId} = {}) {
  const context = await browser.newContext({baseURL, viewport, locale: lang, timezoneId});
  await context.addInitScript((language) => {
    if (!localStorage.getItem('investflow.lang')) localStorage.setItem('investflow.lang', language);
  }, lang);
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[149]/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });
  await page.goto('/#/login');
  await page.fill('#login-username', user);
  await page.fill('#login-password', kPassword);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#app-header:not([hidden]) .user');
  // Direct API calls as this user (for steps the test does not drive through the UI).
  const apiCall = async (method, url, data) => {
    const me = await (await context.request.get('/api/me')).json();
    const response = await context.request.fetch(url, {method, data,
      headers: {'X-CSRF-Token': me.csrf_token || '', 'Content-Type': 'application/json'}});
    const text = await response.text();
    if (!response.ok()) throw new Error(`${method} ${url}: ${response.status()} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {context, page, problems, api: apiCall};
}

export function hasCjk(text) {
  return /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/.test(text);
}

// Text of every label-like element that is not user data (nor a language's own name).
export async function labelTexts(page) {
  return page.evaluate(() => {
    const selector = 'label, th, h1, h2, h3, button, legend, summary, dt, nav a, option, .kpi-label, ' +
      '.column-head, .stage-pill, .deadline, .muted, .not-available, a.button, .chain, p';
    const texts = [];
    for (const element of document.querySelectorAll(selector)) {
      if (element.closest('[data-user], [lang]:not(html), #toast')) continue;
      const clone = element.cloneNode(true);
      for (const user of clone.querySelectorAll('[data-user], [lang]')) user.remove();
      const text = clone.textContent.trim();
      if (text) texts.push(text);
    }
    return texts;
  });
}
