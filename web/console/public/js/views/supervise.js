// The follow-up service desk's dialogs and page (issue 17): 督办 (supervise an item at a
// higher level, with a reason and a new due date), 转交 (hand the owner, the service officer
// or the liaison leader to someone else, with a reason), the light badge, and 人员交接 (the
// bulk handover of a departing person's projects). The project page and the problem ledger
// call the exported functions.
import {h, userText, clear, toast, today, addDays} from '../dom.js';
import {t, pick} from '../i18n.js';
import {get, post, optional, workflows as loadWorkflows, workflow as loadWorkflow} from '../api.js';
import {me, hasRole} from '../main.js';

const kReassignRoles = ['manager', 'admin'];

function terminal(project, workflow) {
  return !!workflow.states.find((state) => state.id === project.state)?.terminal;
}

// What the workflow calls the item: its field tagged `name`, else its id.
function projectName(project, workflow) {
  const field = workflow.fields.find((each) => each.report === 'name');
  return (field && project.fields?.[field.name]) || project.id;
}

// The levels above the item's current one that the signed-in user may give.
export function levelsFor(project, workflow) {
  const levels = workflow.supervision?.levels || [];
  const current = levels.findIndex((level) => level.id === project.supervision_level);
  return levels.filter((level, index) => index > current && level.roles.some((role) => hasRole(role)));
}

// The light of a project ('green' | 'yellow' | 'red' | null) as a badge; null when none.
export function lightBadge(project) {
  if (!project?.light) return null;
  return h('span', {class: `light light-${project.light}`, dataset: {light: project.light},
    title: t(`supervise.light_hint_${project.light}`)}, t(`supervise.light_${project.light}`));
}

// The current supervision level as a badge; null when not supervised.
export function levelBadge(project, workflow) {
  if (!project.supervision_level) return null;
  const level = workflow.supervision?.levels.find((entry) => entry.id === project.supervision_level);
  return h('span', {class: 'supervision-level'}, `${t('supervise.supervised')}：`,
    pick(level?.label, t('supervise.unknown_level')));
}

// The 督办 and 转交 buttons the signed-in user may use on this project (none when closed).
export function supervisionButtons(project, workflow, reload) {
  if (terminal(project, workflow)) return [];
  const buttons = [];
  if (levelsFor(project, workflow).length) {
    buttons.push(h('button', {type: 'button', class: 'small', id: 'supervise-button',
      onclick: async () => { if (await openSuperviseDialog(project, workflow)) reload(); }},
    t('supervise.supervise')));
  }
  if (hasRole(...kReassignRoles)) {
    buttons.push(h('button', {type: 'button', class: 'small', id: 'reassign-button',
      onclick: async () => { if (await openReassignDialog(project, workflow)) reload(); }},
    t('supervise.reassign')));
  }
  return buttons;
}

// A modal form; `send` posts and resolves, or throws the API's error. Resolves true when sent.
function dialogForm({title, subject, rows, send, done, id}) {
  return new Promise((resolve) => {
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const submit = h('button', {type: 'submit', class: 'primary'}, t('submit'));
    const form = h('form', {class: 'transition-form', method: 'dialog'},
      h('h2', {}, title),
      h('p', {class: 'muted'}, `${t('supervise.project')}：`, userText('strong', subject, {class: 'dialog-subject'})),
      rows, general,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => close(false)}, t('cancel')), submit));
    const dialog = h('dialog', {class: 'dialog', id, 'aria-label': title}, form);
    const close = (sent) => {
      dialog.close();
      dialog.remove();
      resolve(sent);
    };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(false); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      general.replaceChildren();
      try {
        await send();
        toast(done);
        close(true);
      } catch (error) {
        submit.disabled = false;
        const errors = error.errors?.length ? error.errors : [{message: t('failed')}];
        for (const entry of errors) general.append(h('li', {class: 'reason'}, entry.message || t('failed')));
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector('select, input, textarea')?.focus();
  });
}

function row(id, label, control) {
  return h('div', {class: 'form-row'}, h('label', {for: id}, label), control);
}

export function openSuperviseDialog(project, workflow) {
  const levels = levelsFor(project, workflow);
  const level = h('select', {id: 'supervise-level', required: true},
    levels.map((entry) => h('option', {value: entry.id}, pick(entry.label, entry.id))));
  const tomorrow = addDays(today(), 1);
  const due = h('input', {id: 'supervise-due', type: 'date', required: true, min: tomorrow,
    value: addDays(today(), 3)});
  const reason = h('textarea', {id: 'supervise-reason', rows: 3, required: true});
  const current = workflow.supervision?.levels.find((entry) => entry.id === project.supervision_level);
  return dialogForm({
    id: 'supervise-dialog',
    title: t('supervise.supervise_title'),
    subject: projectName(project, workflow),
    done: t('supervise.supervised_done'),
    rows: [
      current ? h('p', {class: 'muted'}, `${t('supervise.current_level')}：`, pick(current.label, '')) : null,
      project.sla_due_on ? h('p', {class: 'muted'}, `${t('supervise.current_due')}：${project.sla_due_on}`) : null,
      row('supervise-level', t('supervise.level'), level),
      row('supervise-due', t('supervise.new_due'), due),
      row('supervise-reason', t('supervise.reason'), reason)],
    send: () => post(`/api/projects/${encodeURIComponent(project.id)}/supervisions`,
      {level: level.value, due_on: due.value, reason: reason.value},
      {'If-Match': `"${project.version}"`}),
  });
}

// The holdings of a project: its owner and its user fields, with their labels.
function holdersOf(workflow) {
  return [{name: 'owner', label: t('owner')},
    ...workflow.fields.filter((field) => field.type === 'user')
      .map((field) => ({name: field.name, label: pick(field.label, t('supervise.person'))}))];
}

// A login input with the users as suggestions when the caller may list them (admins).
export async function userInput(id) {
  const list = h('datalist', {id: `${id}-users`});
  const input = h('input', {id, type: 'text', required: true, autocomplete: 'off', list: `${id}-users`});
  // Only admins may list users: for others the input stays a plain login field.
  const users = hasRole('admin') ? await optional('/api/users').catch(() => null) : null;
  for (const user of users?.users || []) {
    if (user?.id && !user.disabled) list.append(h('option', {value: user.id}, user.display_name || user.id));
  }
  return [input, list];
}

export async function openReassignDialog(project, workflow) {
  const holder = h('select', {id: 'reassign-holder'}, holdersOf(workflow).map((entry) => {
    const now = entry.name === 'owner' ? project.owner : project.fields?.[entry.name];
    return h('option', {value: entry.name}, now ? `${entry.label}（${now}）` : entry.label);
  }));
  const [to, users] = await userInput('reassign-to');
  const reason = h('textarea', {id: 'reassign-reason', rows: 3, required: true});
  return dialogForm({
    id: 'reassign-dialog',
    title: t('supervise.reassign_title'),
    subject: projectName(project, workflow),
    done: t('supervise.reassigned_done'),
    rows: [row('reassign-holder', t('supervise.holder'), holder),
      row('reassign-to', t('supervise.to'), [to, users]),
      row('reassign-reason', t('supervise.reason'), reason)],
    send: () => post(`/api/projects/${encodeURIComponent(project.id)}/reassignments`,
      {holder: holder.value, to: to.value.trim(), reason: reason.value},
      {'If-Match': `"${project.version}"`}),
  });
}

// #/handover: 人员交接, for managers and admins.
export async function render(view) {
  clear(view);
  if (!hasRole(...kReassignRoles)) {
    view.append(h('h1', {}, t('supervise.handover')), h('p', {class: 'muted'}, t('supervise.handover_forbidden')));
    return;
  }
  const summaries = await loadWorkflows();
  const details = await Promise.all(summaries.map((summary) => loadWorkflow(summary.id)));
  const fieldLabels = new Map();
  for (const workflow of details) {
    for (const field of workflow.fields.filter((entry) => entry.type === 'user')) {
      if (!fieldLabels.has(field.name)) fieldLabels.set(field.name, pick(field.label, t('supervise.person')));
    }
  }
  const holderLabel = (name) => (name === 'owner' ? t('owner') : fieldLabels.get(name) || t('supervise.person'));
  const [from, fromUsers] = await userInput('handover-from');
  const [to, toUsers] = await userInput('handover-to');
  const reason = h('textarea', {id: 'handover-reason', rows: 2, required: true});
  const holder = h('select', {id: 'handover-holder'},
    h('option', {value: ''}, t('supervise.all_holdings')),
    h('option', {value: 'owner'}, t('owner')),
    [...fieldLabels].map(([name, label]) => h('option', {value: name}, label)));
  const workflowSelect = h('select', {id: 'handover-workflow'},
    h('option', {value: ''}, t('all')),
    details.map((workflow) => h('option', {value: workflow.id}, pick(workflow.title, t('workflow')))));
  const general = h('ul', {class: 'reasons', role: 'alert'});
  const results = h('div', {id: 'handover-results'});
  const submit = h('button', {type: 'submit', class: 'primary'}, t('supervise.handover_submit'));
  const form = h('form', {class: 'handover-form', onsubmit: async (event) => {
    event.preventDefault();
    general.replaceChildren();
    clear(results).append(h('p', {class: 'muted'}, t('loading')));
    submit.disabled = true;
    try {
      const body = {from: from.value.trim(), to: to.value.trim(), reason: reason.value};
      if (holder.value) body.holders = [holder.value];
      if (workflowSelect.value) body.workflow = workflowSelect.value;
      const answer = await post('/api/reassignments', body);
      showResults(results, answer, holderLabel);
    } catch (error) {
      clear(results);
      const errors = error.errors?.length ? error.errors : [{message: t('failed')}];
      for (const entry of errors) general.append(h('li', {class: 'reason'}, entry.message || t('failed')));
    } finally {
      submit.disabled = false;
    }
  }},
  row('handover-from', t('supervise.from'), [from, fromUsers]),
  row('handover-to', t('supervise.to'), [to, toUsers]),
  row('handover-holder', t('supervise.holder'), holder),
  row('handover-workflow', t('workflow'), workflowSelect),
  row('handover-reason', t('supervise.reason'), reason),
  general, h('div', {class: 'actions'}, submit));
  view.append(h('div', {class: 'view-head'}, h('h1', {}, t('supervise.handover'))),
    h('p', {class: 'muted'}, t('supervise.handover_intro')), form, results);
  from.focus();
}

function showResults(box, answer, holderLabel) {
  const resultText = (item) => (item.ok ? t('supervise.moved')
    : `${t('supervise.refused')}：${(item.errors || []).map((error) => error.message).join('；')}`);
  const rows = answer.results.map((item) => h('tr', {dataset: {project: item.project}},
    h('td', {}, h('a', {href: `#/projects/${encodeURIComponent(item.project)}`},
      userText('span', item.name || item.project))),
    h('td', {}, holderLabel(item.holder)),
    h('td', {class: item.ok ? 'result-ok' : 'result-refused'}, resultText(item))));
  const head = h('thead', {}, h('tr', {}, [t('name'), t('supervise.holder'), t('supervise.result')]
    .map((label) => h('th', {scope: 'col'}, label))));
  clear(box).append(
    h('p', {class: 'handover-summary', role: 'status'},
      t('supervise.handover_summary', {moved: answer.moved, refused: answer.refused})),
    rows.length ? h('table', {class: 'table'}, head, h('tbody', {}, rows))
      : h('p', {class: 'muted'}, t('supervise.nothing_to_move')));
}

// What a supervised or reassigned event says in the project's history; null for others.
export function historyDetail(event, workflow) {
  const body = event.body || {};
  if (event.type === 'supervised') {
    const level = workflow.supervision?.levels.find((entry) => entry.id === body.level);
    return h('div', {class: 'history-desk'},
      h('div', {}, `${t('supervise.level')}：`, pick(level?.label, t('supervise.unknown_level')),
        ` · ${t('supervise.new_due')}：${body.new_due_on}`,
        body.previous_due_on ? `（${t('supervise.previous_due')} ${body.previous_due_on}）` : ''),
      userText('blockquote', body.reason));
  }
  if (event.type === 'reassigned') {
    const field = workflow.fields.find((entry) => entry.name === body.holder);
    const what = body.holder === 'owner' ? t('owner') : pick(field?.label, t('supervise.person'));
    return h('div', {class: 'history-desk'},
      h('div', {}, `${what}：`, userText('span', body.from || '—'), ' → ', userText('span', body.to)),
      userText('blockquote', body.reason));
  }
  return null;
}

// Keeps `get` and `me` in use for callers that pass a project id (the ledger page).
export async function superviseById(id) {
  const project = await get(`/api/projects/${encodeURIComponent(id)}`);
  const workflow = await loadWorkflow(project.workflow);
  return me() ? openSuperviseDialog(project, workflow) : false;
}
