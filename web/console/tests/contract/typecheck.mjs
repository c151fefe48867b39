// A TypeScript client made from the document type-checks against real responses (issue
// 23's "Done when"). The real binary serves a seeded temporary database; the test fetches
// /api/openapi.json, generates types with openapi-typescript, records the real JSON
// responses of the main operations (errors included), writes one .ts file per response
// that assigns the recorded body to its operation's documented type, and runs
// `tsc --noEmit --strict` on them. A response that does not match fails the test named
// after its operation, with tsc's messages. A self-check assigns deliberately wrong values
// and fails unless tsc rejects them. The files stay in $INVESTFLOW_ARTIFACTS/typecheck.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import openapiTS, {astToString} from 'openapi-typescript';
import {makeDatabase, startServer, kPassword, artifactsDir} from '../browser/harness.mjs';

const users = {zhang: 'staff', li: 'manager', root: 'admin'};
const kWorkflow = 'qingyuan-investment';
const work = path.join(artifactsDir(), 'typecheck');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

let database, server;
let generationError = null;
const recorded = [];   // {label, template, method, status, media, body, file}
const scenario = [];   // steps whose status was not the one the scenario expects
let checks = [];        // the self-checks written
let diagnostics = null; // file name -> [message]

// One logged-in user's cookie and CSRF token.
async function login(name, password = kPassword) {
  const response = await fetch(`${server.url}/api/login`, {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username: name, password})});
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  return {response, session: {cookie, csrf: (await response.clone().json()).csrf_token ?? ''}};
}

// Records one response: `template` is the document's path, `expect` the status the
// scenario means to produce (another status is reported, and still type-checked).
async function record(session, method, url, template, expect, {body, headers = {}, response} = {}) {
  if (!response) {
    const sent = {...headers};
    if (session) {
      sent.Cookie = session.cookie;
      if (method !== 'GET') sent['X-CSRF-Token'] = session.csrf;
    }
    if (body !== undefined) sent['Content-Type'] = 'application/json';
    response = await fetch(server.url + url, {method, headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body)});
  }
  const label = `${method} ${template}`;
  const text = await response.text();
  if (response.status !== expect) {
    scenario.push(`${label} (${method} ${url}): expected ${expect}, got ${response.status}: ${text.slice(0, 300)}`);
  }
  const media = (response.headers.get('content-type') || '').split(';')[0].trim();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    scenario.push(`${label} (${method} ${url}): ${response.status} ${media} is not JSON: ${text.slice(0, 300)}`);
  }
  recorded.push({label, template, method: method.toLowerCase(), status: response.status, media, body: json,
    url: `${method} ${url}`});
  return json;
}

async function recordAll() {
  const {response, session: zhang} = await login('zhang');
  await record(null, 'POST', '/api/login', '/api/login', 200, {response});
  const li = (await login('li')).session;
  const root = (await login('root')).session;

  await record(zhang, 'GET', '/api/me', '/api/me', 200);
  await record(root, 'GET', '/api/users', '/api/users', 200);
  await record(zhang, 'GET', '/api/workflows', '/api/workflows', 200);
  await record(zhang, 'GET', `/api/workflows/${kWorkflow}`, '/api/workflows/{id}', 200);
  await record(zhang, 'GET', '/api/projects?limit=3', '/api/projects', 200);
  // A webhook to a closed port, so the transition below leaves a (failing) delivery.
  await record(root, 'POST', '/api/webhooks', '/api/webhooks', 201,
    {body: {url: 'http://127.0.0.1:9/hook', secret: 'typecheck-secret', events: ['*']}});

  const created = await record(zhang, 'POST', '/api/projects', '/api/projects', 201,
    {body: {workflow: kWorkflow, fields: {name: '类型检查项目', investor: '清远某科技有限公司',
      review_meeting_on: '2026-12-10', priority_categories: ['listed']}}});
  const id = created?.project_id;
  if (!id) throw new Error(`POST /api/projects did not create a project: ${JSON.stringify(created)}`);
  const project = `/api/projects/${id}`;
  await record(zhang, 'GET', project, '/api/projects/{id}', 200);
  await record(zhang, 'PATCH', project, '/api/projects/{id}', 200,
    {body: {fields: {contact: '刘经理 138-0000-0002'}}, headers: {'If-Match': '"1"'}});
  await record(zhang, 'GET', `${project}/transitions`, '/api/projects/{id}/transitions', 200);
  await record(zhang, 'POST', `${project}/transitions`, '/api/projects/{id}/transitions', 200,
    {body: {transition: 'accept_lead', comment: '资料齐全',
      fields: {industry: 'new_materials', total_investment: 30000, promoting_unit: '招商一科'}}});
  await record(zhang, 'GET', project, '/api/projects/{id}', 200);
  await record(zhang, 'GET', `${project}/history`, '/api/projects/{id}/history', 200);

  const inbox = await record(li, 'GET', '/api/notifications?limit=3', '/api/notifications', 200);
  const first = inbox?.items?.[0]?.id;
  if (first !== undefined) {
    await record(li, 'POST', `/api/notifications/${first}/read`, '/api/notifications/{id}/read', 200);
  } else {
    scenario.push('GET /api/notifications: the manager\'s inbox is empty, nothing to mark read');
  }
  await record(li, 'POST', '/api/notifications/read-all', '/api/notifications/read-all', 200);
  for (const report of ['pipeline', 'funnel', 'aging', 'kpis']) {
    await record(li, 'GET', `/api/reports/${report}?workflow=${kWorkflow}`, `/api/reports/${report}`, 200);
  }
  await record(li, 'GET', '/api/reports/period?from=2026-01-01&to=2026-12-31', '/api/reports/period', 200);
  await record(root, 'GET', '/api/webhooks', '/api/webhooks', 200);
  await record(root, 'GET', '/api/deliveries?limit=3', '/api/deliveries', 200);
  await record(null, 'GET', '/healthz', '/healthz', 200);

  // Errors: problem+json bodies.
  await record(null, 'GET', '/api/me', '/api/me', 401);
  await record(null, 'POST', '/api/login', '/api/login', 401, {body: {username: 'zhang', password: 'wrong-password'}});
  await record(zhang, 'GET', '/api/projects/NO-SUCH-PROJECT', '/api/projects/{id}', 404);
  await record(zhang, 'PATCH', project, '/api/projects/{id}', 412,
    {body: {fields: {contact: '王经理'}}, headers: {'If-Match': '"1"'}});
  await record(zhang, 'POST', `${project}/transitions`, '/api/projects/{id}/transitions', 422,
    {body: {transition: 'no_such_transition'}});
  await record(zhang, 'GET', `/api/reports/pipeline?workflow=${kWorkflow}`, '/api/reports/pipeline', 403);
  await record(li, 'GET', '/api/reports/pipeline', '/api/reports/pipeline', 400);
  await record(zhang, 'GET', '/api/projects?sort=no_such_sort', '/api/projects', 400);
}

const quote = (text) => JSON.stringify(text);

// The documented type of one recorded response, as a TypeScript type expression.
function documentedType({template, method, status, media}) {
  return `paths[${quote(template)}][${quote(method)}]["responses"][${status}]["content"][${quote(media)}]`;
}

function caseSource(entry, value = entry.body, {selfCheck = false} = {}) {
  return [
    `// ${entry.url} answered ${entry.status} ${entry.media}${selfCheck ? ', deliberately altered' : ''}`,
    `import type {paths} from '../api';`,
    `type Documented = ${documentedType(entry)};`,
    ...(selfCheck ? [] : ['// A response documented as any value checks nothing.',
      'export const specific: unknown extends Documented ? "documented as any value" : true = true;']),
    `export const recorded: Documented = ${JSON.stringify(value, null, 2)};`,
    '',
  ].join('\n');
}

// Deliberately wrong values that tsc must reject, each made from a real recorded response
// and each with the error it must cause. One counts only if its recording type-checks
// unaltered (an undocumented property would hide a wrong one: tsc stops at it).
function selfChecks() {
  const checks = [];
  const me = recorded.find((entry) => entry.label === 'GET /api/me' && entry.status === 200);
  if (me) {
    checks.push({name: 'me-id-number', entry: me, value: {...me.body, id: 42},
      expect: (error, line) => line.includes('"id": 42')});
    const {id, ...anonymous} = me.body;
    checks.push({name: 'me-without-id', entry: me, value: anonymous,
      expect: (error) => /TS2741: Property '"?id"?' is missing/.test(error)});
  }
  const problem = recorded.find((entry) => entry.status === 404 && entry.media === 'application/problem+json');
  if (problem) {
    checks.push({name: 'problem-status-string', entry: problem, value: {...problem.body, status: '404'},
      expect: (error, line) => line.includes('"status": "404"')});
  }
  return checks;
}

// tsc's --pretty false output, grouped by file (continuation lines are indented).
function parseDiagnostics(output) {
  const byFile = {};
  let current = null;
  for (const line of output.split('\n')) {
    const found = line.match(/^(.+?\.ts)\((\d+),(\d+)\): (error .*)$/);
    if (found) {
      const file = path.basename(found[1]);
      current = {file, line: Number(found[2]), text: found[4]};
      (byFile[file] ||= []).push(current);
    } else if (current && line.trim()) {
      current.text += `\n    ${line.trim()}`;
    } else if (line.trim()) {
      (byFile[''] ||= []).push({file: '', line: 0, text: line});
    }
  }
  return byFile;
}

// tsc's messages for one case, each with the recorded line it points at; at most
// kShown of them (an object the document leaves without properties fails on every key).
const kShown = 12;
function describe(file, errors) {
  const source = readFileSync(path.join(work, 'cases', file), 'utf8').split('\n');
  const lines = errors.slice(0, kShown).map(({line, text}) =>
    `  line ${line} \`${(source[line - 1] || '').trim().slice(0, 160)}\`: ${text}`);
  if (errors.length > kShown) lines.push(`  ... and ${errors.length - kShown} more (tsc.txt)`);
  if (errors.some(({text}) => text.includes("to type 'never'"))) {
    lines.push("  ('never': the document declares an object without properties, which openapi-typescript " +
      'types as Record<string, never>, or a property where it declares none)');
  }
  return lines.join('\n');
}

before(async () => {
  rmSync(work, {recursive: true, force: true});
  mkdirSync(path.join(work, 'cases'), {recursive: true});
  database = makeDatabase(users, {projects: 6});
  server = await startServer(database.db);

  const documentText = await (await fetch(`${server.url}/api/openapi.json`)).text();
  writeFileSync(path.join(work, 'openapi.json'), documentText);
  try {
    writeFileSync(path.join(work, 'api.ts'), astToString(await openapiTS(JSON.parse(documentText), {silent: true})));
  } catch (error) {
    generationError = error;
    return;
  }
  await recordAll();
  writeFileSync(path.join(work, 'recorded.json'), JSON.stringify(recorded, null, 2));

  const files = [];
  recorded.forEach((entry, index) => {
    if (entry.body === null) return;
    const slug = `${entry.method}${entry.template.replace(/[^a-z0-9]+/gi, '-')}-${entry.status}`;
    entry.file = `${String(index).padStart(2, '0')}-${slug}.ts`;
    writeFileSync(path.join(work, 'cases', entry.file), caseSource(entry));
    files.push(`cases/${entry.file}`);
  });
  checks = selfChecks();
  for (const check of checks) {
    check.file = `selfcheck-${check.name}.ts`;
    writeFileSync(path.join(work, 'cases', check.file), caseSource(check.entry, check.value, {selfCheck: true}));
    files.push(`cases/${check.file}`);
  }
  writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], module: 'esnext',
      moduleResolution: 'bundler', types: [], skipLibCheck: false},
    files: ['api.ts', ...files],
  }, null, 2));

  let output = '';
  try {
    output = execFileSync(process.execPath, [tsc, '-p', work, '--noEmit', '--strict', '--pretty', 'false'],
      {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  } catch (error) {
    output = `${error.stdout || ''}${error.stderr || ''}`;
    if (!output) throw error;
  }
  writeFileSync(path.join(work, 'tsc.txt'), output);
  diagnostics = parseDiagnostics(output);
});

after(async () => {
  await server?.stop();
  if (process.exitCode && server) console.error(server.stderr());
  database?.remove();
});

test('openapi-typescript generates types from /api/openapi.json', () => {
  assert.equal(generationError, null, `openapi-typescript refused the document: ${generationError?.stack}`);
  assert.ok(diagnostics, 'tsc did not run');
  const generated = diagnostics[''] ?? [];
  assert.deepEqual(generated.map((entry) => entry.text), [], 'tsc reported errors outside the recorded responses');
  const inApi = diagnostics['api.ts'] ?? [];
  assert.deepEqual(inApi.map((entry) => `line ${entry.line}: ${entry.text}`), [], 'the generated types do not compile');
});

test('the scenario produced the statuses it meant to', () => {
  assert.deepEqual(scenario, []);
});

test('self-check: tsc rejects deliberately wrong values', () => {
  assert.ok(diagnostics, 'tsc did not run');
  const usable = checks.filter((check) => !(diagnostics[check.entry.file] ?? []).length);
  assert.ok(usable.length > 0, `no self-check has a recording that type-checks unaltered ` +
    `(of ${checks.map((check) => `${check.name} on ${check.entry.label} ${check.entry.status}`).join(', ') || 'none'})`);
  for (const check of usable) {
    const source = readFileSync(path.join(work, 'cases', check.file), 'utf8').split('\n');
    const errors = diagnostics[check.file] ?? [];
    assert.ok(errors.some((entry) => check.expect(entry.text, source[entry.line - 1] || '')),
      `${check.file}: tsc did not reject the deliberately wrong value, so the test cannot see one; ` +
      `its messages: ${errors.map((entry) => entry.text).join('\n') || 'none'}`);
  }
});

// One test per recorded response, named by its operation and status; the list is only
// known after recording, so they run as subtests.
test('every recorded response type-checks against its documented type', async (t) => {
  assert.ok(diagnostics, 'tsc did not run');
  assert.ok(recorded.length > 0, 'nothing was recorded');
  for (const entry of recorded) {
    if (!entry.file) continue;
    await t.test(`${entry.label} ${entry.status} ${entry.media}`, () => {
      const errors = diagnostics[entry.file] ?? [];
      if (errors.length) {
        assert.fail(`${entry.label}: the ${entry.status} response of ${entry.url} does not match its documented type ` +
          `(${path.join(work, 'cases', entry.file)}):\n${describe(entry.file, errors)}`);
      }
    });
  }
});
