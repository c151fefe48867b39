// kpis (issue 16): links from the dashboard's numbers to the projects they count. Every
// figure has one definition on the server (GET /api/projects?figure=ID&from=&to=
// [&workflow=&promoting_unit=] lists exactly the projects a report counted), so a tile, a
// bar or a funnel stage links to the project list with that filter; the list shows which
// figure it is filtered by and lets the user clear it.
import {h} from '../dom.js';
import {t, pick} from '../i18n.js';

// The project list's hash for a figure.
export function figureHref(figure, {from = '', to = '', workflow = '', promotingUnit = ''} = {}) {
  const params = new URLSearchParams();
  params.set('figure', figure);
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  if (workflow) params.set('workflow', workflow);
  if (promotingUnit) params.set('promoting_unit', promotingUnit);
  return `#/projects?${params.toString()}`;
}

// A number that opens the projects it counts (plain text when there is no figure).
export function figureLink(text, figure, scope, attributes = {}) {
  if (!figure) return h('span', {}, String(text));
  return h('a', {class: 'figure-link', href: figureHref(figure, scope), dataset: {figure}, ...attributes}, String(text));
}

// The figure filter's parameters in the project list's URL, to keep them across its filters.
export const kFigureParams = ['figure', 'from', 'to', 'promoting_unit'];

// What the project list shows above its table when it is filtered by a figure.
export function figureBanner(params, workflow, clearHref) {
  const figure = params.get('figure');
  if (!figure) return null;
  let label;
  if (figure.startsWith('reached:')) {
    const state = figure.slice('reached:'.length);
    label = t('kpi.figures.reached', {stage: pick(workflow?.states?.find((each) => each.id === state)?.label, state)});
  } else {
    label = t(`kpi.figures.${figure}`);
  }
  const from = params.get('from');
  const to = params.get('to');
  return h('p', {class: 'figure-banner', id: 'figure-banner', role: 'status'},
    t('kpi.figure_filter', {figure: label}),
    from || to ? ` · ${t('kpi.figure_period', {from: from || '…', to: to || '…'})}` : '',
    ' ', h('a', {href: clearHref, class: 'button small'}, t('kpi.clear_figure')));
}

// The monthly report's download: a month and a link to the XLSX.
export function monthlyDownload(defaultMonth) {
  const input = h('input', {id: 'dash-month', type: 'month', value: defaultMonth});
  const link = h('a', {id: 'monthly-download', class: 'button small', download: '',
    href: `/api/reports/monthly?month=${encodeURIComponent(defaultMonth)}&format=xlsx`}, t('kpi.download_monthly'));
  input.addEventListener('change', () => {
    link.href = `/api/reports/monthly?month=${encodeURIComponent(input.value)}&format=xlsx`;
  });
  return h('div', {class: 'monthly-download'}, h('label', {for: 'dash-month'}, t('kpi.month')), ' ', input, ' ', link);
}
