// The workflow as a diagram drawn here from its JSON (no external renderer), as wide as the
// page: states in layers by distance from the initial state (final states in the last
// row), forward transitions as arrows down; transitions back to an earlier stage run in
// lanes on the right and those into a final state in lanes on the left, each labelled;
// transitions allowed from any state leave one "any stage" node. Hovering or focusing a
// transition shows who may take it, what it requires and whether it needs a comment;
// hovering or focusing a state shows its rules and lights its ways in and out.
import {h, svg} from '../dom.js';
import {t, pick} from '../i18n.js';
import {workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {fieldLabel} from '../fields.js';
import {defaultWorkflow} from './board.js';
import {versionsSection} from './workflow_versions.js';

const kNodeWidth = 140;
const kNodeHeight = 40;
const kLayerGap = 92;
const kLane = 18;        // between two lanes
const kLaneLabel = 120;  // room beside the nodes for the labels of lane edges
const kAny = '*';

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('id') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const select = h('select', {id: 'workflow-id', onchange: (event) =>
    navigate(hashWith('/workflow', {id: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  const wrap = h('div', {class: 'diagram-wrap'});
  const detail = h('aside', {class: 'panel rule-detail', 'aria-live': 'polite'}, h('p', {class: 'muted'}, t('hover_hint')));
  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('workflow_view')),
      h('div', {class: 'inline-field'}, h('label', {for: 'workflow-id'}, t('workflow')), select)),
    h('p', {class: 'muted'}, pick(workflow.description)),
    h('div', {class: 'workflow-layout'}, wrap, detail),
    transitionsTable(workflow),
    await versionsSection(workflowId));
  // Laid out for the width the page gives it, again when that changes.
  let drawnFor = 0;
  const draw = () => {
    const available = Math.floor(wrap.clientWidth) - 2;
    if (available === drawnFor) return;
    drawnFor = available;
    wrap.replaceChildren(diagram(workflow, detail, Math.max(available, 480)));
  };
  draw();
  const observer = new ResizeObserver(draw);
  observer.observe(wrap);
  return () => observer.disconnect();
}

// Rows of state ids, top to bottom: each open state below every state that leads to it
// (the ways back, found by a depth-first walk from the initial state, left aside), the
// final states in the last row with the "any stage" node (transitions from '*') at its left.
function layers(workflow) {
  const terminal = new Set(workflow.states.filter((state) => state.terminal).map((state) => state.id));
  const open = workflow.states.filter((state) => !terminal.has(state.id)).map((state) => state.id);
  const next = new Map(open.map((id) => [id, []]));
  for (const transition of workflow.transitions) {
    if (transition.from === kAny || !next.has(transition.to)) continue;
    for (const from of transition.from) {
      if (next.has(from) && !next.get(from).includes(transition.to)) next.get(from).push(transition.to);
    }
  }
  const back = new Set();
  const walked = new Map();  // 1: on the current path, 2: done
  const walk = (id) => {
    walked.set(id, 1);
    for (const to of next.get(id)) {
      if (walked.get(to) === 1) back.add(`${id}>${to}`);
      else if (!walked.has(to)) walk(to);
    }
    walked.set(id, 2);
  };
  for (const id of [workflow.initial, ...open]) if (next.has(id) && !walked.has(id)) walk(id);
  const depth = new Map();
  const depthOf = (id) => {
    if (depth.has(id)) return depth.get(id);
    depth.set(id, 0);
    let deepest = 0;
    for (const [from, targets] of next) {
      if (targets.includes(id) && !back.has(`${from}>${id}`)) deepest = Math.max(deepest, depthOf(from) + 1);
    }
    depth.set(id, deepest);
    return deepest;
  };
  const rows = [];
  for (const id of open) (rows[depthOf(id)] ||= []).push(id);
  const last = [...(workflow.transitions.some((item) => item.from === kAny) ? [kAny] : []),
    ...workflow.states.filter((state) => terminal.has(state.id)).map((state) => state.id)];
  return [...rows.filter(Boolean), ...(last.length ? [last] : [])];
}

// The diagram for a box `available` pixels wide.
function diagram(workflow, detail, available) {
  const rows = layers(workflow);
  const states = new Map(workflow.states.map((state) => [state.id, state]));
  const rowOf = new Map();
  rows.forEach((row, index) => row.forEach((id) => rowOf.set(id, index)));
  const terminal = (id) => !!states.get(id)?.terminal;
  // Edges: one per (transition, from); a '*' transition once, from the "any stage" node.
  const edges = [];
  for (const transition of workflow.transitions) {
    for (const from of transition.from === kAny ? [kAny] : transition.from) {
      if (!rowOf.has(from) || !rowOf.has(transition.to)) continue;
      const kind = from === kAny ? 'any' : terminal(transition.to) ? 'final'
        : rowOf.get(transition.to) <= rowOf.get(from) ? 'back' : 'forward';
      edges.push({transition, from, to: transition.to, kind});
    }
  }
  // A lane per target: on the left for the final states, on the right for the ways back.
  const laneTargets = (kind) => [...new Set(edges.filter((edge) => edge.kind === kind).map((edge) => edge.to))];
  const leftLanes = laneTargets('final');
  const rightLanes = laneTargets('back');
  const leftRoom = leftLanes.length ? leftLanes.length * kLane + kLaneLabel : 16;
  const rightRoom = rightLanes.length ? rightLanes.length * kLane + kLaneLabel : 16;
  const widest = Math.max(...rows.map((row) => row.length));
  const width = Math.max(available, leftRoom + rightRoom + widest * (kNodeWidth + 16));
  const inner = width - leftRoom - rightRoom;
  const height = rows.length * kLayerGap + 8;
  const position = new Map();
  rows.forEach((row, layer) => {
    const step = inner / row.length;
    row.forEach((id, index) => position.set(id, {
      x: leftRoom + step * index + (step - kNodeWidth) / 2, y: 24 + layer * kLayerGap}));
  });
  const laneX = (kind, target) => (kind === 'final'
    ? 8 + leftLanes.indexOf(target) * kLane
    : width - 8 - rightLanes.indexOf(target) * kLane);

  const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
  const show = (title, lines) => detail.replaceChildren(h('h2', {}, title),
    h('dl', {class: 'field-list'}, lines.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])));
  const transitionLines = (transition) => [
    [t('roles_label'), transition.roles.length ? transition.roles.map((role) => t(`roles.${role}`)).join('、') : t('all')],
    [t('requires_label'), transition.requires.map((name) => fieldLabel(fieldsByName.get(name)) || name).join('、') || '—'],
    [t('comment_rule'), transition.comment === 'required' ? t('comment_required') : t('comment')],
  ];
  // Lane edges leaving one side of a node (or entering one) are spread apart.
  const seen = new Map();
  const nth = (key) => {
    const index = seen.get(key) || 0;
    seen.set(key, index + 1);
    return index;
  };
  const drawn = edges.map((edge) => {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    const label = pick(edge.transition.label, edge.transition.id);
    let d;
    let text = null;
    const labelAt = (x, y, anchor) => svg('text', {x, y, 'text-anchor': anchor, class: 'edge-label'}, label);
    if (edge.kind === 'final') {
      // Out of the source's left side, down the target's lane, into the target's top.
      const lane = laneX('final', edge.to);
      const y1 = a.y + 8 + (nth(`out-${edge.from}`) % 3) * 12;
      const entry = b.y - 8 - leftLanes.indexOf(edge.to) * 5;
      d = `M${a.x},${y1} H${lane} V${entry} H${b.x + kNodeWidth / 2} V${b.y}`;
      text = labelAt(a.x - 6, y1 - 3, 'end');
    } else if (edge.kind === 'back') {
      // Out of the source's right side, up the target's lane, into the target's right side.
      const lane = laneX('back', edge.to);
      const y1 = a.y + kNodeHeight / 2 + 4;
      const y2 = b.y + 8 + (nth(`in-${edge.to}`) % 3) * 12;
      d = `M${a.x + kNodeWidth},${y1} H${lane} V${y2} H${b.x + kNodeWidth}`;
      text = labelAt(b.x + kNodeWidth + 6, y2 - 3, 'start');
    } else if (edge.kind === 'any') {
      const y = a.y + kNodeHeight / 2;
      const below = a.y + kNodeHeight + 12 + nth('any') * 6;
      d = rowOf.get(edge.to) === rowOf.get(kAny)
        ? `M${a.x + kNodeWidth / 2},${a.y + kNodeHeight} V${below} H${b.x + kNodeWidth / 2} V${b.y + kNodeHeight}`
        : `M${a.x + kNodeWidth},${y} H${b.x + kNodeWidth / 2} V${b.y + kNodeHeight}`;
      text = labelAt(a.x + kNodeWidth / 2 + 6, below - 3, 'start');
    } else {
      const x1 = a.x + kNodeWidth / 2; const y1 = a.y + kNodeHeight;
      const x2 = b.x + kNodeWidth / 2; const y2 = b.y;
      d = `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
    }
    const lines = transitionLines(edge.transition);
    const group = svg('g', {class: `edge ${edge.kind}`, tabindex: 0, role: 'button',
      'aria-label': label, 'data-transition': edge.transition.id, 'data-from': edge.from, 'data-to': edge.to},
    svg('title', {}, `${label}\n${lines.map(([k, v]) => `${k}: ${v}`).join('\n')}`),
    svg('path', {d, class: 'edge-hit'}), svg('path', {d, class: 'edge-line', 'marker-end': 'url(#arrow)'}), text);
    const activate = () => show(label, lines);
    group.addEventListener('mouseenter', activate);
    group.addEventListener('focus', activate);
    return group;
  });

  const root = svg('svg', {class: 'diagram', viewBox: `0 0 ${width} ${height}`, width, height,
    role: 'group', 'aria-label': pick(workflow.title, workflow.id)});
  // A state's ways in and out, lit while it is hovered or focused ('*' leaves every open state).
  const light = (id, on) => {
    root.classList.toggle('lit', on);
    for (const edge of drawn) {
      const from = edge.dataset.from;
      edge.classList.toggle('way-out', on && (from === id || (from === kAny && !terminal(id))));
      edge.classList.toggle('way-in', on && edge.dataset.to === id);
    }
  };
  const nodes = [...position.keys()].map((id) => {
    const {x, y} = position.get(id);
    const state = states.get(id);
    const label = id === kAny ? t('diagram.any_state') : pick(state.label, id);
    const names = (list) => list.map((item) => pick(item.label, item.id)).join('、') || '—';
    const lines = id === kAny
      ? [[t('transitions'), names(workflow.transitions.filter((item) => item.from === kAny))]]
      : [
        [t('sla_label'), state.sla ? `${state.sla.working_days} ${t('days')}` : '—'],
        [t('review_state'), state.review ? `${t(`roles.${state.review.voters}`)} · ${t('quorum')} ${state.review.quorum_fraction || state.review.quorum}` : '—'],
        [t('terminal'), state.terminal ? t('yes') : t('no')],
        [t('diagram.ways_in'), names([...new Set(edges.filter((edge) => edge.to === id).map((edge) => edge.transition))])],
        [t('diagram.ways_out'), names(workflow.transitions.filter((item) => (item.from === kAny && !state.terminal) ||
          (item.from !== kAny && item.from.includes(id))))],
      ];
    const classes = ['node', state?.terminal ? 'terminal' : '', state?.review ? 'review' : '',
      id === workflow.initial ? 'initial' : '', id === kAny ? 'any' : ''].filter(Boolean).join(' ');
    const node = svg('g', {class: classes, tabindex: 0, role: 'button', 'aria-label': label, 'data-state': id},
      svg('title', {}, label),
      svg('rect', {x, y, width: kNodeWidth, height: kNodeHeight, rx: id === kAny ? 20 : 8}),
      svg('text', {x: x + kNodeWidth / 2, y: y + kNodeHeight / 2 + 5, 'text-anchor': 'middle'}, label));
    const activate = () => { show(label, lines); light(id, true); };
    const deactivate = () => light(id, false);
    node.addEventListener('mouseenter', activate);
    node.addEventListener('focus', activate);
    node.addEventListener('mouseleave', deactivate);
    node.addEventListener('blur', deactivate);
    return node;
  });
  root.append(svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head'}))),
  ...drawn, ...nodes);
  return root;
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
