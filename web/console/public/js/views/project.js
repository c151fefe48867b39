// One project: fields by group (editable), transitions (allowed, and blocked with the
// engine's reasons), the review panel, milestones, follow-up visits and the history with
// its hash-chain status.
import {h, userText, clear, toast, deadlineColour, today} from '../dom.js';
import {t, pick, dateTime} from '../i18n.js';
import {get, patch, post, workflow as loadWorkflow} from '../api.js';
import {fieldInput, fieldLabel, displayValue, showErrors, checkInputs} from '../fields.js';
import {openTransitionForm} from '../transition_form.js';
import {transitionList} from '../transition_menu.js';
import {deadlineMarker} from '../project_card.js';
import {me, hasRole} from '../main.js';
import {fundsSection, computedSection} from './project_funds.js';
import {problemsPanel} from './project_problems.js';  // problems (issue 17)
import {lightBadge, levelBadge, supervisionButtons, historyDetail} from './supervise.js';
import {attachmentsPanel, evidencePicker, evidenceText, uploadFile} from './project_attachments.js';
import {holdEdits} from '../unsaved.js';
import {printButton, dossierHead, reviewRecord, dossierFoot} from './project_print.js';  // list (issue 22)
import {commentsPanel} from './project_comments.js';  // comments with @mentions (issue 22)

export async function render(view, {match}) {
  const id = decodeURIComponent(match[1]);
  const path = `/api/projects/${encodeURIComponent(id)}`;
  // Edits carried over a reload after a conflicting save (412): reapplied on the new version.
  let carried = null;
  let release = () => {};
  // Live events may start a load while another is under way: only the latest one renders.
  let latest = 0;

  async function load() {
    const ticket = ++latest;
    const project = await get(path);
    const [workflow, options, history] = await Promise.all([
      loadWorkflow(project.workflow), get(`${path}/transitions`), get(`${path}/history`)]);
    const state = workflow.states.find((candidate) => candidate.id === project.state);
    // What the engine would take from this user here (issue 22 item 5).
    const may = options.may || {edit: false, followup: false};
    const context = {project, workflow, path, reload: load, may, ended: !!state?.terminal,
      carry: (edits) => { carried = edits; return load(); }};
    const problems = await problemsPanel(context);
    if (ticket !== latest) return;
    context.editor = fieldEditor(context, carried);
    carried = null;
    release();
    release = holdEdits(() => context.editor.dirty());
    clear(view).append(
      dossierHead(context),
      h('div', {class: 'view-head'},
        h('div', {},
          h('p', {class: 'breadcrumb'}, h('a', {href: '#/projects'}, t('nav_projects')), ' / ',
            h('span', {}, pick(workflow.title, workflow.id))),
          userText('h1', project.fields?.name || project.id, {class: 'project-title'}),
          h('p', {class: 'project-sub'},
            h('span', {class: 'stage-pill', dataset: {state: project.state}}, pick(state?.label, project.state)),
            ' ', context.ended ? null : deadlineMarker(project),
            project.sla_due_on ? h('span', {class: 'muted'}, ` ${t('sla_due')}: ${project.sla_due_on}`,
              estimatedMark(project.sla_due_estimated)) : null,
            h('span', {class: 'muted'}, ` · ${t('owner')}: `), userText('span', project.owner),
            h('span', {class: 'muted'}, ` · ${t('version')} ${project.version}`)),
          // issue 17: light, supervision level, 督办 / 转交
          h('p', {class: 'project-desk'}, lightBadge(project), ' ', levelBadge(project, workflow), ' ',
            supervisionButtons(project, workflow, load))),
        printButton()),
      h('div', {class: 'project-layout'},
        h('div', {class: 'project-main'},
          fieldsPanel(context),
          computedSection(context), fundsSection(context),
          milestonesPanel(context),
          followupsPanel(context),
          problems,
          attachmentsPanel(context)),
        h('div', {class: 'project-side'},
          transitionsPanel(context, options),
          reviewPanel(context, state),
          reviewRecord(context, history),
          commentsPanel(context, history),
          historyPanel(context, history))),
      dossierFoot());
  }

  await load();
  const onEvent = (event) => {
    if (event.detail.project_id === id && !document.querySelector('dialog[open], .editing')) load();
  };
  window.addEventListener('investflow:event', onEvent);
  return () => {
    window.removeEventListener('investflow:event', onEvent);
    release();
  };
}

function panel(title, ...children) {
  return h('section', {class: 'panel'}, h('h2', {}, title), ...children);
}

function transitionsPanel({project, workflow, reload, editor}, options) {
  return panel(t('transitions'), transitionList(options.transitions, async (option) => {
    // The transition reads the saved values: unsaved edits would be lost with the reload.
    if (editor.dirty() && !window.confirm(t('step.discard_confirm'))) return;
    if (await openTransitionForm(project, workflow, option)) reload();
  }, workflow));
}

// The fields' edits on this page (issue 22 item 2): every open group's inputs, saved
// together by any group's 保存, checked for unsaved changes before leaving. `carried`:
// edits reapplied after a conflicting save, with what others changed meanwhile.
function fieldEditor({project, workflow, path, reload, carry}, carried) {
  const open = new Map();  // group -> {inputs, close}
  const inputs = () => [...open.values()].flatMap((entry) => entry.inputs);
  const changes = () => {
    const changed = {};
    for (const entry of inputs()) {
      const value = entry.read();
      const before = project.fields?.[entry.field.name];
      if (JSON.stringify(value ?? null) !== JSON.stringify(before ?? null)) {
        changed[entry.field.name] = value ?? null;
      }
    }
    return changed;
  };
  const editor = {
    open, carried,
    dirty: () => Object.keys(changes()).length > 0,
    // Saves every open group; `general` is where the saving group shows what went wrong.
    async save(general, conflictBox) {
      const all = inputs();
      if (checkInputs(all, general)) return;
      const changed = changes();
      if (!Object.keys(changed).length) {
        for (const entry of [...open.values()]) entry.close();
        return;
      }
      try {
        await patch(path, {fields: changed}, {'If-Match': `"${project.version}"`});
        toast(t('saved'));
        open.clear();
        reload();
      } catch (error) {
        if (error.status === 412) return showConflict(conflictBox, error);
        showErrors(all, general, error.errors?.length ? error.errors : [{message: error.message}]);
      }
    },
  };
  // Someone saved first: say so in Chinese, and offer to reload and reapply these edits.
  function showConflict(box, error) {
    const again = h('button', {type: 'button', class: 'primary reapply', onclick: async () => {
      again.disabled = true;
      const latest = await get(path);
      const changedMeanwhile = workflow.fields
        .filter((field) => JSON.stringify(project.fields?.[field.name] ?? null) !==
          JSON.stringify(latest.fields?.[field.name] ?? null))
        .map((field) => ({field, before: project.fields?.[field.name], after: latest.fields?.[field.name]}));
      await carry({edits: changes(), groups: [...open.keys()], changed: changedMeanwhile,
        from: project.version, to: latest.version});
    }}, t('step.reload_reapply'));
    box.replaceChildren(h('div', {class: 'conflict-box', role: 'alert'},
      h('p', {}, error.message || t('step.conflict')), h('p', {class: 'muted'}, t('step.conflict_hint')), again));
  }
  return editor;
}

function fieldsPanel(context) {
  const {project, workflow, may, editor} = context;
  const groups = new Map();
  for (const field of workflow.fields) {
    const group = field.group || 'other';
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(field);
  }
  const conflictBox = h('div', {class: 'conflict-area'});
  const carried = editor.carried;
  const editAll = may.edit ? h('button', {type: 'button', class: 'small edit-all', onclick: () => {
    for (const details of section.querySelectorAll('details.field-group')) details.startEditing();
  }}, t('step.edit_all')) : null;
  const section = panel(t('fields'), editAll, conflictBox,
    carried ? changedMeanwhile(carried) : null,
    [...groups].map(([group, fields]) => {
      const filled = fields.filter((field) => project.fields?.[field.name] !== undefined);
      return fieldGroup(context, group, fields, filled.length === 0, conflictBox);
    }));
  if (carried) {
    for (const details of section.querySelectorAll('details.field-group')) {
      if (carried.groups.includes(details.dataset.group)) details.startEditing(carried.edits);
    }
  }
  return section;
}

// After reloading on a conflict: what others changed meanwhile, before the reapplied edits.
function changedMeanwhile(carried) {
  if (!carried.changed.length) return h('p', {class: 'changed-meanwhile muted', role: 'status'}, t('step.nothing_changed'));
  return h('div', {class: 'changed-meanwhile', role: 'status'},
    h('p', {}, t('step.changed_meanwhile', {from: carried.from, to: carried.to})),
    h('ul', {class: 'changes'}, carried.changed.map(({field, before, after}) => h('li', {
      class: field.name in carried.edits ? 'also-mine' : null},
    `${fieldLabel(field)}: `, displayValue(field, before), ' → ', displayValue(field, after),
    field.name in carried.edits ? h('strong', {}, ` ${t('step.also_mine')}`) : null))),
    h('p', {class: 'muted'}, t('step.reapplied')));
}

function fieldGroup(context, group, fields, collapsed, conflictBox) {
  const {project, may, editor} = context;
  const body = h('div', {class: 'group-body'});
  const readOnly = () => {
    editor.open.delete(group);
    clear(body).append(h('dl', {class: 'field-list'}, fields.map((field) => [
      h('dt', {}, fieldLabel(field)), h('dd', {}, displayValue(field, project.fields?.[field.name]))])));
  };
  const edit = (values) => {
    if (editor.open.has(group)) return;
    const inputs = fields.map((field) => {
      const value = values && field.name in values ? values[field.name] : project.fields?.[field.name];
      return fieldInput(field, value ?? undefined);
    });
    const general = h('ul', {class: 'reasons', role: 'alert'});
    const cancel = () => {
      const own = inputs.some((entry) => JSON.stringify(entry.read() ?? null) !==
        JSON.stringify(project.fields?.[entry.field.name] ?? null));
      if (own && !window.confirm(t('step.discard_confirm'))) return;
      readOnly();
    };
    const form = h('form', {class: 'group-form editing', novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      editor.save(general, conflictBox);
    }},
    inputs.map((entry) => entry.element), general,
    h('p', {class: 'muted saves-all'}, t('step.saves_all')),
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: cancel}, t('cancel')),
      h('button', {type: 'submit', class: 'primary'}, t('save'))));
    editor.open.set(group, {inputs, close: readOnly});
    clear(body).append(form);
    if (!values) inputs[0]?.input.focus();
  };
  readOnly();
  const details = h('details', {class: 'field-group', open: !collapsed, dataset: {group}},
    h('summary', {}, h('span', {class: 'group-title'}, t(`groups.${group}`))),
    may.edit ? h('button', {type: 'button', class: 'small edit-group', onclick: () => { details.open = true; edit(); }},
      `${t('edit')}`, h('span', {class: 'sr-only'}, ` ${t(`groups.${group}`)}`)) : null,
    body);
  details.startEditing = (values) => { details.open = true; edit(values); };
  return details;
}

// Reviews that closed (issue 22): their ballots, tally and decision stay visible.
function closedReviews({project, workflow}) {
  const reviews = project.closed_reviews || [];
  if (!reviews.length) return null;
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, id);
  const transitionLabel = (id) => pick(workflow.transitions.find((item) => item.id === id)?.label, id);
  return h('div', {class: 'closed-reviews'}, h('h3', {}, t('committee.closed')),
    [...reviews].reverse().map((review) => {
      const count = (choice) => review.votes.filter((vote) => vote.choice === choice).length;
      return h('div', {class: 'closed-review', dataset: {state: review.state}},
        h('p', {}, h('strong', {}, stateLabel(review.state)), ' · ', `${t('committee.closed_at')} ${dateTime(review.closed_at)}`),
        h('p', {class: 'review-decision'}, `${t('committee.decision')}: `,
          h('strong', {}, `${transitionLabel(review.transition)} → ${stateLabel(review.to)}`)),
        h('p', {class: 'review-tally'}, ['approve', 'reject', 'abstain', 'recuse']
          .map((choice) => `${t(choice)} ${count(choice)}`).join(' · ')),
        votesTable(review.votes));
    }));
}

function votesTable(votes) {
  return h('table', {class: 'table compact'}, h('thead', {}, h('tr', {}, h('th', {}, t('actor')), h('th', {}, t('vote')),
    h('th', {}, t('comment')))),
  h('tbody', {}, votes.map((entry) => h('tr', {}, h('td', {}, userText('span', entry.voter)),
    h('td', {}, t(entry.choice)), h('td', {}, userText('span', entry.comment))))));
}

function reviewPanel(context, state) {
  const {project, path, reload} = context;
  if (!state?.review) {
    return panel(t('review'), h('p', {class: 'muted'}, t('no_review')), closedReviews(context));
  }
  const votes = project.votes || [];
  const mine = votes.find((vote) => vote.voter === me().id);
  const approvals = votes.filter((vote) => vote.choice === 'approve').length;
  // A recusal (回避) is no vote; a fractional quorum is shown as the fraction of the panel.
  // A blind review hides the others' ballots until one has voted (votes_hidden counts them).
  const hidden = project.votes_hidden || 0;
  const cast = votes.filter((vote) => vote.choice !== 'recuse').length + hidden;
  const quorum = state.review.quorum_fraction || state.review.quorum;
  const comment = h('textarea', {id: 'vote-comment', rows: 2}, mine?.comment || '');
  const message = h('p', {class: 'form-message', role: 'alert'});
  const vote = (choice) => async () => {
    try {
      await post(`${path}/votes`, {choice, comment: comment.value, version: project.version});
      toast(t('voted'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  };
  const canVote = hasRole(state.review.voters);
  return panel(t('review'),
    state.review.blind ? h('p', {class: 'muted review-blind'}, t('committee.blind')) : null,
    h('p', {class: 'review-stats'}, `${t('votes_cast')}: `, h('strong', {class: 'vote-count'}, String(cast)),
      ` / ${t('quorum')}: ${quorum}`, hidden ? '' : ` · ${t('approve')}: ${approvals}`),
    hidden ? h('p', {class: 'blind-hidden', role: 'status'}, t('committee.blind_hidden', {n: hidden})) : null,
    votesTable(votes),
    canVote ? h('div', {class: 'vote-form'},
      mine ? h('p', {}, `${t('my_vote')}: `, h('strong', {}, t(mine.choice))) : null,
      h('label', {for: 'vote-comment'}, t('comment')), comment,
      h('div', {class: 'actions'},
        ['approve', 'reject', 'abstain', 'recuse'].map((choice) => h('button', {type: 'button',
          class: choice === 'approve' ? 'primary vote-button' : 'vote-button', dataset: {choice},
          onclick: vote(choice)}, mine ? `${t('change_vote')}: ${t(choice)}` : t(choice)))),
      message) : null,
    closedReviews(context));
}

// A deadline counted past the calendar's official data: shown as an estimate.
function estimatedMark(estimated) {
  return estimated ? h('span', {class: 'estimated', title: t('estimated_hint')}, t('estimated')) : null;
}

// A milestone's label from the workflow, never its id (issue 22 item 6).
export function milestoneLabel(workflow, id) {
  return pick(workflow.milestones?.find((milestone) => milestone.id === id)?.label, t('milestone'));
}

function milestonesPanel({project, workflow, path, reload, may, ended}) {
  const milestones = Object.values(project.milestones || {});
  const rows = milestones.map((milestone) => {
    // A project that has ended has nothing overdue (issue 22 item 5).
    const colour = milestone.done_on || ended ? '' : deadlineColour(milestone.due_on);
    return h('tr', {class: colour ? `row-${colour}` : ''},
      h('td', {}, milestoneLabel(workflow, milestone.id)), h('td', {}, milestone.planned_on || '—'),
      h('td', {}, milestone.due_on || '—', estimatedMark(milestone.estimated),
        colour ? h('span', {class: `deadline deadline-${colour}`},
        colour === 'red' ? t('overdue') : t('due')) : null),
      h('td', {}, milestone.done_on || '—'), h('td', {}, evidenceText(project, milestone.evidence)));
  });
  const select = h('select', {id: 'milestone-id'}, milestones.map((milestone) =>
    h('option', {value: milestone.id}, milestoneLabel(workflow, milestone.id))));
  const planned = h('input', {id: 'milestone-planned', type: 'date'});
  const done = h('input', {id: 'milestone-done', type: 'date'});
  const evidence = h('input', {id: 'milestone-evidence', type: 'text'});
  // The evidence file (a milestone with `evidence: required` is recorded done only with one):
  // uploaded for the chosen milestone, then the milestone recorded.
  const file = h('input', {id: 'milestone-file', type: 'file'});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const form = milestones.length && may.edit ? h('form', {class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      if (file.files.length) {
        await uploadFile(path, file.files[0], () => {}, select.value);
        project = await get(path);
      }
      await post(`${path}/milestones`, {milestone: select.value, planned_on: planned.value || null,
        done_on: done.value || null, evidence: evidence.value, version: project.version});
      toast(t('saved'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'milestone-id'}, t('milestone')), select,
  h('label', {for: 'milestone-planned'}, t('planned_on')), planned,
  h('label', {for: 'milestone-done'}, t('done_on')), done,
  h('label', {for: 'milestone-evidence'}, t('evidence')), evidence, evidencePicker(project, evidence),
  h('label', {for: 'milestone-file'}, t('attach.evidence_file')), file,
  h('button', {type: 'submit'}, t('record')), message) : null;
  return panel(t('milestones'), milestones.length ? h('table', {class: 'table'},
    h('thead', {}, h('tr', {}, [t('milestone'), t('planned_on'), t('due_on'), t('done_on'), t('evidence')]
      .map((label) => h('th', {}, label)))), h('tbody', {}, rows)) : h('p', {class: 'muted'}, t('no_milestones')),
  form);
}

function followupsPanel({project, path, reload, may, ended}) {
  const visits = project.visits || [];
  const on = h('input', {id: 'visit-on', type: 'date', value: today(), required: true});
  const summary = h('input', {id: 'visit-summary', type: 'text', required: true});
  const issues = h('textarea', {id: 'visit-issues', rows: 2});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const form = h('form', {class: 'inline-form', onsubmit: async (event) => {
    event.preventDefault();
    try {
      await post(`${path}/followups`, {on: on.value, summary: summary.value, version: project.version,
        issues: issues.value.split('\n').map((line) => line.trim()).filter(Boolean)});
      toast(t('saved'));
      reload();
    } catch (error) {
      message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
    }
  }},
  h('label', {for: 'visit-on'}, t('visit_on')), on,
  h('label', {for: 'visit-summary'}, t('summary')), summary,
  h('label', {for: 'visit-issues'}, t('issues')), issues,
  h('button', {type: 'submit'}, t('add_followup')), message);
  return panel(t('followups'),
    project.followup_due_on ? h('p', {class: deadlineColour(project.followup_due_on) && !ended ? 'warn' : 'muted'},
      `${t('followup_due')}: ${project.followup_due_on}`, estimatedMark(project.followup_due_estimated)) : null,
    visits.length ? h('ul', {class: 'visits'}, [...visits].reverse().map((visit) => h('li', {},
      h('strong', {}, visit.on), ' ', userText('span', visit.actor, {class: 'muted'}), ' ',
      userText('span', visit.summary),
      visit.issues?.length ? userText('div', visit.issues.join('；'), {class: 'issues'}) : null)))
      : h('p', {class: 'muted'}, t('no_followups')),
    may.followup ? form : null);  // only where and for whom the engine takes a visit
}

const kEventLabels = {project_created: 'created', fields_edited: 'edited', transition_taken: 'transition_event',
  vote_cast: 'voted_event', milestone_recorded: 'milestone_event', followup_recorded: 'followup_event',
  funds_recorded: 'funds.event',
  file_attached: 'attach.attached_event', commented: 'comments.event',
  // issue 22 item 6: every event type has a label; none shows its key.
  deadline_fired: 'step.ev_deadline_fired', deadline_extended: 'step.ev_deadline_extended',
  workflow_migrated: 'step.ev_workflow_migrated', supervised: 'supervised', reassigned: 'reassigned'};

// What a deadline event is about: the stage's time limit, a milestone or the next visit.
function deadlineName(body, workflow, stateLabel) {
  if (body.kind === 'milestone') return milestoneLabel(workflow, body.name);
  if (body.kind === 'followup') return t('followup_due');
  return `${t('sla_due')}（${stateLabel(body.name)}）`;
}

// The line under a deadline or migration event saying what happened (null for others).
function eventDetail(event, workflow, stateLabel) {
  const body = event.body || {};
  switch (event.type) {
    case 'deadline_fired':
      return h('div', {}, `${deadlineName(body, workflow, stateLabel)} · ${t(`step.alert_${body.alert}`)} · ${t('due_on')} ${body.due_on || ''}`);
    case 'deadline_extended':
      return h('div', {}, `${deadlineName(body, workflow, stateLabel)}: ${body.previous_due_on || ''} → ${body.new_due_on || ''}`,
        body.reason ? userText('blockquote', body.reason) : null);
    case 'workflow_migrated':
      return h('div', {}, t('step.migrated_detail', {from: body.from_version, to: body.to_version}));
    default:
      return null;
  }
}

function historyPanel({workflow}, history) {
  const stateLabel = (id) => pick(workflow.states.find((state) => state.id === id)?.label, t('step.unnamed'));
  const transitionLabel = (id) => pick(workflow.transitions.find((item) => item.id === id)?.label, t('transition_event'));
  const fieldsByName = new Map(workflow.fields.map((field) => [field.name, field]));
  return panel(t('history'),
    h('p', {class: history.chain_ok ? 'chain chain-ok' : 'chain chain-broken', role: 'status'},
      history.chain_ok ? `✔ ${t('chain_ok')}` : `✖ ${t('chain_broken')}`),
    h('ol', {class: 'timeline'}, [...history.events].reverse().map((event) => {
      const body = event.body || {};
      const what = event.type === 'transition_taken'
        ? `${transitionLabel(body.transition)}: ${stateLabel(body.from)} → ${stateLabel(body.to)}`
        : t(kEventLabels[event.type] || 'step.ev_other');
      const changes = body.changes || [];
      return h('li', {},
        h('div', {class: 'timeline-head'}, h('strong', {}, what)),
        h('div', {class: 'muted'}, userText('span', event.actor), ` · ${dateTime(event.at)}`),
        body.choice ? h('div', {}, t(body.choice)) : null,
        body.comment ? userText('blockquote', body.comment) : null,
        historyDetail(event, workflow),  // issue 17: 督办 / 转交
        eventDetail(event, workflow, stateLabel),
        event.type === 'file_attached' ? userText('div', body.filename) : null,
        event.type === 'commented' ? userText('blockquote', body.text) : null,
        body.quorum_reached ? h('div', {class: 'muted'}, t('committee.quorum_event')) : null,
        changes.length ? h('ul', {class: 'changes'}, changes.map((change) => {
          const field = fieldsByName.get(change.field);
          return h('li', {}, `${fieldLabel(field) || t('step.unnamed')}: `,
            displayValue(field, change.before), ' → ', displayValue(field, change.after));
        })) : null);
    })));
}
