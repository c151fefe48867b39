// The workflow as a diagram drawn here from its JSON (no external renderer): states in
// layers by distance from the initial state, transitions as arrows; hovering or focusing
// one shows who may take it, what it requires and whether it needs a comment.
import {h, svg} from '../dom.js';
import {t, pick} from '../i18n.js';
import {workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {fieldLabel} from '../fields.js';
import {defaultWorkflow} from './board.js';
import {versionsSection} from './workflow_versions.js';

const kNodeWidth = 132;
const kNodeHeight = 40;
const kLayerGap = 86;
const kColumnGap = 24;

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('id') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const select = h('select', {id: 'workflow-id', onchange: (event) =>
    navigate(hashWith('/workflow', {id: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  const detail = h('aside', {class: 'panel rule-detail', 'aria-live': 'polite'}, h('p', {class: 'muted'}, t('hover_hint')));
  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('workflow_view')),
      h('div', {class: 'inline-field'}, h('label', {for: 'workflow-id'}, t('workflow')), select)),
    h('p', {class: 'muted'}, pick(workflow.description)),
    h('div', {class: 'workflow-layout'}, h('div', {class: 'diagram-wrap'}, diagram(workflow, detail)), detail),
    transitionsTable(workflow),
    await versionsSection(workflowId));
}

function layers(workflow) {
  const depth = new Map([[workflow.initial, 0]]);
  const queue = [workflow.initial];
  while (queue.length) {
    const state = queue.shift();
    for (const transition of workflow.transitions) {
      if (transition.from === '*' || !transition.from.includes(state)) continue;
      if (!depth.has(transition.to)) {
        depth.set(transition.to, depth.get(state) + 1);
        queue.push(transition.to);
      }
    }
  }
  let deepest = Math.max(...depth.values());
  for (const state of workflow.states) if (!depth.has(state.id)) depth.set(state.id, ++deepest);
  const rows = [];
  for (const state of workflow.states) {
    const row = depth.get(state.id);
    (rows[row] ||= []).push(state);
  }
  return rows.filter(Boolean);
}

function diagram(workflow, detail) {
  const rows = layers(workflow);
  const widest = Math.max(...rows.map((row) => row.length));
  const width = Math.max(widest * (kNodeWidth + kColumnGap) + kColumnGap, 600);
  const height = rows.length * kLayerGap + kNodeHeight;
  const position = new Map();
  rows.forEach((row, layer) => {
    const rowWidth = row.length * (kNodeWidth + kColumnGap) - kColumnGap;
    row.forEach((state, index) => position.set(state.id, {
      x: (width - rowWidth) / 2 + index * (kNodeWidth + kColumnGap), y: 12 + layer * kLayerGap}));
  });
  const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
  const show = (title, lines) => detail.replaceChildren(h('h2', {}, title),
    h('dl', {class: 'field-list'}, lines.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])));
  const transitionLines = (transition) => [
    [t('roles_label'), transition.roles.length ? transition.roles.map((role) => t(`roles.${role}`)).join('、') : t('all')],
    [t('requires_label'), transition.requires.map((name) => fieldLabel(fieldsByName.get(name)) || name).join('、') || '—'],
    [t('comment_rule'), transition.comment === 'required' ? t('comment_required') : t('comment')],
  ];
  const edges = [];
  for (const transition of workflow.transitions) {
    if (transition.from === '*') continue;
    for (const from of transition.from) {
      const a = position.get(from);
      const b = position.get(transition.to);
      if (!a || !b) continue;
      const x1 = a.x + kNodeWidth / 2; const y1 = a.y + kNodeHeight;
      const x2 = b.x + kNodeWidth / 2; const y2 = b.y;
      const back = y2 <= y1;
      const d = back
        ? `M${a.x + kNodeWidth},${a.y + kNodeHeight / 2} C${a.x + kNodeWidth + 60},${a.y} ${b.x + kNodeWidth + 60},${b.y + kNodeHeight} ${b.x + kNodeWidth},${b.y + kNodeHeight / 2}`
        : `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
      const label = pick(transition.label, transition.id);
      const lines = transitionLines(transition);
      const edge = svg('g', {class: back ? 'edge back' : 'edge', tabindex: 0, role: 'button',
        'aria-label': label, 'data-transition': transition.id},
      svg('title', {}, `${label}\n${lines.map(([k, v]) => `${k}: ${v}`).join('\n')}`),
      svg('path', {d, class: 'edge-hit'}), svg('path', {d, class: 'edge-line', 'marker-end': 'url(#arrow)'}));
      const activate = () => show(label, lines);
      edge.addEventListener('mouseenter', activate);
      edge.addEventListener('focus', activate);
      edges.push(edge);
    }
  }
  const nodes = workflow.states.map((state) => {
    const {x, y} = position.get(state.id);
    const label = pick(state.label, state.id);
    const lines = [
      [t('sla_label'), state.sla ? `${state.sla.working_days} ${t('days')}` : '—'],
      [t('review_state'), state.review ? `${t(`roles.${state.review.voters}`)} · ${t('quorum')} ${state.review.quorum_fraction || state.review.quorum}` : '—'],
      [t('terminal'), state.terminal ? t('yes') : t('no')],
      [t('transitions'), workflow.transitions.filter((item) => item.from === '*' || item.from.includes(state.id))
        .map((item) => pick(item.label, item.id)).join('、') || '—'],
    ];
    const node = svg('g', {class: `node${state.terminal ? ' terminal' : ''}${state.review ? ' review' : ''}${state.id === workflow.initial ? ' initial' : ''}`,
      tabindex: 0, role: 'button', 'aria-label': label, 'data-state': state.id},
    svg('title', {}, label),
    svg('rect', {x, y, width: kNodeWidth, height: kNodeHeight, rx: 8}),
    svg('text', {x: x + kNodeWidth / 2, y: y + kNodeHeight / 2 + 5, 'text-anchor': 'middle'}, label));
    const activate = () => show(label, lines);
    node.addEventListener('mouseenter', activate);
    node.addEventListener('focus', activate);
    return node;
  });
  return svg('svg', {class: 'diagram', viewBox: `0 0 ${width + 80} ${height}`, width: width + 80, height,
    role: 'group', 'aria-label': pick(workflow.title, workflow.id)},
  svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head'}))),
  edges, nodes);
}

function transitionsTable(workflow) {
  const stateLabel = (id) => id === '*' ? t('all') : pick(workflow.states.find((state) => state.id === id)?.label, id);
  const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
  return h('section', {class: 'panel'}, h('h2', {}, t('transitions_table')), h('div', {class: 'table-wrap'},
    h('table', {class: 'table compact'},
      h('thead', {}, h('tr', {}, [t('transitions'), t('from_state'), t('to_state'), t('roles_label'), t('requires_label'),
        t('comment_rule')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, workflow.transitions.map((transition) => h('tr', {},
        h('th', {scope: 'row'}, pick(transition.label, transition.id)),
        h('td', {}, transition.from === '*' ? t('all') : transition.from.map(stateLabel).join('、')),
        h('td', {}, stateLabel(transition.to)),
        h('td', {}, transition.roles.map((role) => t(`roles.${role}`)).join('、')),
        h('td', {}, transition.requires.map((name) => fieldLabel(fieldsByName.get(name)) || name).join('、')),
        h('td', {}, transition.comment === 'required' ? t('yes') : t('no'))))))));
}
