// Manager dashboard over /api/reports/*: KPI tiles, funnel, pipeline by stage, investment
// by industry and chain role, stage aging, overdue projects, the period summary, exports.
// A report the server does not offer shows "not available"; nothing is made up here.
import {h, userText, today} from '../dom.js';
import {t, pick, money, percent, lang} from '../i18n.js';
import {get, optional, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {optionLabel, fieldLabel} from '../fields.js';
import {defaultWorkflow} from './board.js';
import {deadlineMarker} from '../project_card.js';
import {figureHref, figureLink, monthlyDownload} from './figure_links.js';
import {mayReadReports} from '../main.js';

let echartsModule = null;
async function echarts() {
  if (!echartsModule) echartsModule = import('/vendor/echarts.esm.min.js').catch(() => null);
  return echartsModule;
}

export async function render(view, {params}, {navigate, hashWith}) {
  // The server answers /api/reports/* to the roles that answer for the zone's pipeline only.
  if (!mayReadReports()) {
    view.append(h('h1', {}, t('dashboard')), h('p', {class: 'not-available', role: 'status'}, t('dash.no_right')));
    return undefined;
  }
  const list = await loadWorkflows();
  const workflowId = params.get('workflow') || defaultWorkflow(list);
  const from = params.get('from') || `${today().slice(0, 4)}-01-01`;
  const to = params.get('to') || today();
  const workflow = await loadWorkflow(workflowId);
  const charts = [];

  const workflowSelect = h('select', {id: 'dash-workflow'}, list.map((item) =>
    h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  const fromInput = h('input', {id: 'dash-from', type: 'date', value: from});
  const toInput = h('input', {id: 'dash-to', type: 'date', value: to});
  // An inverted range is refused here, in words (the server would refuse it too).
  const inverted = (start, end) => start && end && end < start;
  const rangeMessage = h('p', {class: 'form-message', id: 'dash-range-error', role: 'alert'},
    inverted(from, to) ? t('dash.range_inverted') : '');
  const controls = h('form', {class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    if (inverted(fromInput.value, toInput.value)) {
      rangeMessage.textContent = t('dash.range_inverted');
      toInput.setAttribute('aria-invalid', 'true');
      toInput.focus();
      return;
    }
    navigate(hashWith('/dashboard', {workflow: workflowSelect.value, from: fromInput.value, to: toInput.value}));
  }},
  h('div', {class: 'filter'}, h('label', {for: 'dash-workflow'}, t('workflow')), workflowSelect),
  h('div', {class: 'filter'}, h('label', {for: 'dash-from'}, t('from')), fromInput),
  h('div', {class: 'filter'}, h('label', {for: 'dash-to'}, t('to')), toInput),
  h('button', {type: 'submit', class: 'primary'}, t('apply')), rangeMessage);

  const section = (key, className = '') => h('section', {class: `panel ${className}`, id: `dash-${key}`},
    h('h2', {}, t(key)), h('p', {class: 'muted loading-note'}, t('loading')));
  const sections = {
    kpis: section('kpis', 'wide'), funnel: section('funnel'), pipeline: section('pipeline'),
    by_industry: section('by_industry'), by_chain_role: section('by_chain_role'), aging: section('aging'),
    overdue_list: section('overdue_list'), period_summary: section('period_summary', 'wide'),
  };
  const scope = {from, to, workflow: workflowId};
  const lastMonth = (() => {
    const [year, month] = today().split('-').map(Number);
    return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  })();
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('dashboard')), monthlyDownload(lastMonth)), controls,
    h('div', {class: 'dashboard-grid'}, Object.values(sections)));

  const fill = (key, ...children) => sections[key].replaceChildren(h('h2', {}, t(key)), ...children);
  const unavailable = (key) => fill(key, h('p', {class: 'not-available', role: 'status'}, t('not_available')));
  const exports = (path, params) => h('p', {class: 'exports'},
    h('a', {class: 'button small', href: `${path}${query({...params, format: 'csv'})}`, download: ''}, t('export_csv')),
    ' ', h('a', {class: 'button small', href: `${path}${query({...params, format: 'xlsx'})}`, download: ''}, t('export_xlsx')));
  // Tooltips as rich text on the canvas: ECharts' HTML tooltips use style attributes,
  // which the console's CSP refuses.
  const chart = async (key, option) => {
    const library = await echarts();
    if (!library) return null;
    const box = h('div', {class: 'chart', role: 'img', 'aria-label': t(key)});
    sections[key].append(box);
    const instance = library.init(box, null, {renderer: 'canvas'});
    instance.setOption(option);
    charts.push(instance);
    return instance;
  };
  const stateLabel = (stage) => pick(stage.label, stage.state);

  // Investment by an enum field (the fields tagged industry and chain_role): the pipeline
  // report grouped by that tag (`grouped`: already asked for); every option shows, 0 where none.
  const tagged = (tag) => workflow.fields.find((candidate) => candidate.report === tag && candidate.options?.length);
  const breakdown = async (key, tag, grouped) => {
    const field = tagged(tag);
    if (!field) return unavailable(key);
    const body = grouped ?? await optional('/api/reports/pipeline' + query({workflow: workflowId, by: tag}));
    if (!body?.groups) return unavailable(key);
    const byValue = new Map(body.groups.map((group) => [group.value, group]));
    const rows = field.options.map((option) => ({label: optionLabel(field, option),
      count: byValue.get(option)?.count ?? 0, investment_wan: byValue.get(option)?.investment_wan ?? 0}));
    const unset = byValue.get('');
    if (unset?.count) rows.push({label: t('dash.unset'), count: unset.count, investment_wan: unset.investment_wan});
    fill(key, table([fieldLabel(field), t('count'), t('total_investment')],
      rows.map((row) => [row.label, row.count, money(row.investment_wan)])));
    await chart(key, {tooltip: {trigger: 'item', renderMode: 'richText'}, series: [{type: 'pie', radius: ['35%', '65%'],
      data: rows.map((row) => ({name: row.label, value: row.investment_wan}))}]});
  };
  const forbidden = (key) => fill(key, h('p', {class: 'not-available', role: 'status'}, t('forbidden')));
  // A panel always ends: its figures, "not available" (no such report), "no right" (403) or
  // the server's own words for what went wrong (a 400 names the parameter).
  const failed = (key, error) => fill(key, h('p', {class: 'not-available', role: 'status'},
    `${t('dash.failed')}${error.message}`));
  const settle = (keys, error) => {
    for (const key of keys) {
      if (!sections[key].querySelector('.loading-note')) continue;  // already answered
      if (error.status === 403) forbidden(key);
      else if (error.status === 404 || error.status === 405) unavailable(key);
      else failed(key, error);
    }
  };
  const dated = new Set(['kpis', 'funnel', 'aging', 'period_summary']);
  const guard = (key, work, more = []) => {
    if (dated.has(key) && inverted(from, to)) {
      return Promise.resolve(fill(key, h('p', {class: 'not-available', role: 'status'}, t('dash.range_inverted'))));
    }
    return work().catch((error) => settle([key, ...more], error));
  };

  await Promise.all([
    guard('kpis', async () => {
      const body = await optional('/api/reports/kpis' + query({workflow: workflowId, from, to}));
      if (!body) return unavailable('kpis');
      // Every tile opens the projects its numerator counts; "n / d" opens each side's.
      const tile = (id, value, label, numerator, denominator) => h('div', {class: 'kpi', dataset: {kpi: id}},
        numerator.figure ? h('a', {class: 'kpi-value figure-link', href: figureHref(numerator.figure, scope),
          dataset: {figure: numerator.figure}}, value) : h('div', {class: 'kpi-value'}, value),
        h('div', {class: 'kpi-label'}, label),
        h('div', {class: 'muted'}, numerator.value == null ? '—' : denominator ? [
          figureLink(numerator.value, numerator.figure, scope, {title: t('kpi.numerator')}), ' / ',
          figureLink(denominator.value, denominator.figure, scope, {title: t('kpi.denominator')})] : ''));
      const extra = [];
      if (body.signed_projects != null) {
        extra.push(tile('signed_projects', String(body.signed_projects), t('kpi.signed_projects'),
          {value: body.signed_projects, figure: 'signed'}));
      }
      if (body.signed_investment_wan != null) {
        extra.push(tile('signed_investment', money(body.signed_investment_wan), t('kpi.signed_investment'),
          {value: null, figure: 'signed'}));
      }
      if (body.overdue_start_count != null) {
        extra.push(tile('overdue_start', String(body.overdue_start_count), t('kpi.overdue_start'),
          {value: body.overdue_start_count, figure: 'overdue_start'}));
      }
      fill('kpis', h('p', {class: 'muted'}, t('kpi.cohort_note', {from, to})),
        h('div', {class: 'kpi-tiles'}, [...extra, ...body.kpis.map((kpi) => tile(kpi.id, percent(kpi.rate),
          pick(kpi.label, kpi.id), {value: kpi.numerator, figure: kpi.numerator_figure},
          {value: kpi.denominator, figure: kpi.denominator_figure}))]),
      exports('/api/reports/kpis', {workflow: workflowId, from, to}));
    }),
    guard('funnel', async () => {
      const body = await optional('/api/reports/funnel' + query({workflow: workflowId, from, to}));
      if (!body) return unavailable('funnel');
      fill('funnel', h('p', {class: 'muted'}, t('kpi.funnel_note', {from, to})),
        table([t('stage'), t('reached'), t('rate_from_previous'), t('rate_from_start')],
          body.stages.map((stage) => [stateLabel(stage), figureLink(stage.reached, `reached:${stage.state}`, scope),
            percent(stage.rate_from_previous), percent(stage.rate_from_start)]), 'funnel-table'),
        exports('/api/reports/funnel', {workflow: workflowId, from, to}));
      const stages = body.stages.filter((stage) => !stage.terminal);
      const funnel = await chart('funnel', {tooltip: {trigger: 'item', renderMode: 'richText'}, series: [{type: 'funnel', sort: 'none', left: '10%', width: '80%',
        data: stages.map((stage) => ({name: stateLabel(stage), value: stage.reached}))}]});
      funnel?.on('click', (event) => {
        const stage = stages[event.dataIndex];
        if (stage) navigate(figureHref(`reached:${stage.state}`, scope));
      });
    }),
    guard('pipeline', async () => {
      // The stages and the breakdown by industry are one answer (a grouped report has the
      // stages too); the one by chain role is asked for at the same time.
      const byIndustry = tagged('industry') ? {by: 'industry'} : {};
      const chainRole = breakdown('by_chain_role', 'chain_role').catch((error) => settle(['by_chain_role'], error));
      const body = await optional('/api/reports/pipeline' + query({workflow: workflowId, ...byIndustry}));
      if (!body) {
        unavailable('pipeline'); unavailable('by_industry'); unavailable('by_chain_role');
        return;
      }
      fill('pipeline', table([t('stage'), t('count'), t('total_investment')],
        [...body.stages.map((stage) => [stateLabel(stage), h('a', {class: 'figure-link',
          href: `#/projects?workflow=${encodeURIComponent(workflowId)}&state=${encodeURIComponent(stage.state)}`}, String(stage.count)),
        money(stage.investment_wan)]),
          body.total ? [t('all'), body.total.count, money(body.total.investment_wan)] : null].filter(Boolean),
        'pipeline-table'), exports('/api/reports/pipeline', {workflow: workflowId}));
      const bars = await chart('pipeline', barOption(body.stages.map(stateLabel), body.stages.map((stage) => stage.investment_wan)));
      bars?.on('click', (event) => {
        const stage = body.stages[event.dataIndex];
        if (stage) navigate(`#/projects?workflow=${encodeURIComponent(workflowId)}&state=${encodeURIComponent(stage.state)}`);
      });
      await Promise.all([chainRole,
        breakdown('by_industry', 'industry', body).catch((error) => settle(['by_industry'], error))]);
    }, ['by_industry', 'by_chain_role']),
    guard('aging', async () => {
      // Stages left in the chosen period: how long steps take now, not over all history.
      const body = await optional('/api/reports/aging' + query({workflow: workflowId, from, to}));
      if (!body) return unavailable('aging');
      fill('aging', table([t('stage'), t('samples'), t('median'), t('p90')],
        body.stages.map((stage) => [stateLabel(stage), stage.samples, stage.median_working_days ?? '—',
          stage.p90_working_days ?? '—'])),
        (body.longest_waiting || []).length ? h('div', {},
          h('h3', {}, t('longest_waiting')),
          h('ol', {class: 'overdue-list'}, body.longest_waiting.map((project) => h('li', {},
            h('a', {href: `#/projects/${encodeURIComponent(project.project_id)}`},
              userText('span', project.name || project.project_id)),
            ` · ${pick(workflow.states.find((state) => state.id === project.state)?.label, project.state)}`,
            ` · ${project.working_days} ${t('days')}`)))) : null,
        exports('/api/reports/aging', {workflow: workflowId, from, to}));
      await chart('aging', barOption(body.stages.map(stateLabel), body.stages.map((stage) => stage.median_working_days ?? 0)));
    }),
    guard('overdue_list', async () => {
      const page = await get('/api/projects' + query({workflow: workflowId, overdue: 'true', sort: '+due', limit: 20}));
      fill('overdue_list', page.projects.length ? h('ul', {class: 'overdue-list'}, page.projects.map((project) =>
        h('li', {}, h('a', {href: `#/projects/${encodeURIComponent(project.id)}`},
          userText('span', project.fields?.name || project.id)), ' ', deadlineMarker(project), ' ',
        h('span', {class: 'muted'}, project.sla_due_on || ''))))
        : h('p', {class: 'muted'}, t('no_projects')));
    }),
    guard('period_summary', async () => {
      const body = await optional('/api/reports/period' + query({from, to}));
      if (!body) return unavailable('period_summary');
      const text = lang() === 'en' ? body.text?.en : body.text?.zh ?? body.text?.['zh-CN'];
      const columns = ['new_projects', 'new_investment_wan', 'signed', 'started', 'completed', 'in_production'];
      // A count opens the projects it counts: the same figures the KPIs and the list use.
      const cell = (figures, column) => {
        if (column.endsWith('_wan')) return money(figures[column]);
        if (figures[column] == null) return '—';
        return figureLink(figures[column], column, {from, to, workflow: figures.workflow});
      };
      fill('period_summary', h('p', {class: 'period-text'}, text || ''),
        h('p', {class: 'muted'}, t('kpi.period_note')),
        table([t('workflow'), ...columns.map((column) => t(`period.${column}`))],
          (body.workflows || []).map((figures) => [pick(figures.title, figures.workflow),
            ...columns.map((column) => cell(figures, column))]),
          'period-table'),
        exports('/api/reports/period', {from, to}));
    }),
  ]);

  const resize = () => charts.forEach((instance) => instance.resize());
  window.addEventListener('resize', resize);
  return () => {
    window.removeEventListener('resize', resize);
    charts.forEach((instance) => instance.dispose());
  };
}

function table(headers, rows, className = '') {
  return h('div', {class: 'table-wrap'}, h('table', {class: `table compact ${className}`},
    h('thead', {}, h('tr', {}, headers.map((label) => h('th', {scope: 'col'}, label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, index) =>
      h(index === 0 ? 'th' : 'td', index === 0 ? {scope: 'row'} : {class: 'number'},
        cell instanceof Node ? cell : String(cell))))))));
}

function barOption(names, values) {
  return {tooltip: {trigger: 'axis', renderMode: 'richText'}, grid: {left: 8, right: 12, top: 12, bottom: 8, containLabel: true},
    xAxis: {type: 'category', data: names, axisLabel: {rotate: 40, interval: 0}},
    yAxis: {type: 'value'}, series: [{type: 'bar', data: values}]};
}
