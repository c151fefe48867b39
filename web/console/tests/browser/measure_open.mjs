// How long console pages take to open on a large database (issue 7: under 1 s with
// 100,000 projects). Not a unit test: run by hand on a seeded database, e.g.
//   investflow init big.db && investflow seed big.db --projects 100000
//   investflow user add perf --role manager --password perf-password-1 --db big.db
//   INVESTFLOW_BINARY=build/release/app/investflow node measure_open.mjs big.db perf perf-password-1
// Prints one `name: value unit` line per page: the time from navigation to the view's
// content being in the DOM (fetches included), the best of three warm loads.
import {startServer, launchBrowser} from './harness.mjs';

const [db, user, password] = process.argv.slice(2);
if (!db || !user || !password) {
  console.error('usage: node measure_open.mjs DB USER PASSWORD');
  process.exit(2);
}
const server = await startServer(db);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({baseURL: server.url, viewport: {width: 1280, height: 800}});
  const page = await context.newPage();
  await page.goto('/#/login');
  await page.fill('#login-username', user);
  await page.fill('#login-password', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#app-header:not([hidden]) .user');
  const list = await (await context.request.get('/api/projects?limit=1')).json();
  const someProject = list.projects[0].id;
  const pages = [
    ['board', '/#/board', '.column .project-card'],
    ['project_list', '/#/projects', '.projects-table tbody tr'],
    ['project_list_filtered', '/#/projects?state=under_construction&industry=electronics&sort=-investment', '.projects-table tbody tr, .empty'],
    ['project_search', '/#/projects?q=%E7%94%9F%E7%89%A9%E5%88%B6', '.projects-table tbody tr, .empty'],
    ['project_page', `/#/projects/${encodeURIComponent(someProject)}`, '.chain'],
    ['dashboard', '/#/dashboard', '#dash-overdue_list ul, #dash-overdue_list p:not(.muted)'],
    ['workflow', '/#/workflow', 'svg.diagram'],
  ];
  for (const [name, route, ready] of pages) {
    let best = Infinity;
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.goto('about:blank');
      const started = Date.now();
      await page.goto(route);
      await page.waitForSelector(ready, {timeout: 30000});
      best = Math.min(best, Date.now() - started);
    }
    console.log(`console_open_${name}: ${best} ms`);
  }
} finally {
  await browser.close();
  await server.stop();
}
