// A workflow's deployed versions (issue 15) on the workflow page: each version with its
// projects by stage, the changes between two chosen versions in sentences, and for admins
// the migration of projects to another version: choose the target and how stages map,
// see the dry run (every project that cannot move, with every reason), then confirm.
import {h, userText, toast} from '../dom.js';
import {t, lang, pick, dateTime} from '../i18n.js';
import {get, post} from '../api.js';
import {hasRole} from '../main.js';

const base = (id) => `/api/workflows/${encodeURIComponent(id)}`;
const kRoles = ['staff', 'secretariat', 'reviewer', 'manager', 'leader', 'auditor', 'admin'];

// Role ids in a change's sentence read as the roles' names.
function readable(text) {
  return text.replace(/\b[a-z]+\b/g, (word) => kRoles.includes(word) ? t(`roles.${word}`) : word);
}

export async function versionsSection(workflowId) {
  const section = h('section', {class: 'panel', id: 'workflow-versions'}, h('h2', {}, t('versions.title')));
  const definitions = new Map();
  const definition = (version) => {
    if (!definitions.has(version)) definitions.set(version, get(`${base(workflowId)}?version=${version}`));
    return definitions.get(version);
  };
  const stateLabel = async (version, state, fallback) => {
    const found = (await definition(version).catch(() => null))?.states.find((item) => item.id === state);
    return found ? pick(found.label, state) : fallback || state;
  };
  // After a migration the section is drawn anew (the counts changed) with the migration's
  // outcome still shown in its panel.
  const load = async (migrated = null) => {
    const body = await get(`${base(workflowId)}/versions`);
    const panel = hasRole('admin') ? migratePanel(workflowId, body.versions, definition, stateLabel, load) : null;
    section.replaceChildren(h('h2', {}, t('versions.title')), await versionsTable(body.versions, stateLabel),
      diffPanel(workflowId, body.versions), panel?.element);
    if (panel && migrated) await panel.show(migrated);
  };
  await load();
  return section;
}

async function versionsTable(versions, stateLabel) {
  const rows = [];
  for (const item of versions) {
    const stages = [];
    for (const count of item.projects.by_state) {
      stages.push(`${await stateLabel(item.version, count.state, count.label)} ${count.count}`);
    }
    rows.push(h('tr', {dataset: {version: item.version}},
      h('th', {scope: 'row'}, t('versions.version_n', {n: item.version}), item.latest ? h('span', {class: 'tag'}, t('versions.latest')) : null),
      h('td', {}, dateTime(item.deployed_at)),
      h('td', {class: 'number'}, item.projects.total),
      h('td', {}, stages.join('、') || '—')));
  }
  return h('div', {class: 'table-wrap'}, h('table', {class: 'table compact', id: 'versions-table'},
    h('thead', {}, h('tr', {}, [t('versions.version'), t('versions.deployed_at'), t('versions.projects'),
      t('versions.by_stage')].map((label) => h('th', {scope: 'col'}, label)))),
    h('tbody', {}, rows)));
}

function versionSelect(id, versions, selected) {
  return h('select', {id}, versions.map((item) => h('option', {value: item.version, selected: item.version === selected},
    t('versions.version_n', {n: item.version}))));
}

function diffPanel(workflowId, versions) {
  const from = versionSelect('diff-from', versions, (versions[1] || versions[0]).version);
  const to = versionSelect('diff-to', versions, versions[0].version);
  const list = h('ul', {id: 'workflow-diff', class: 'change-list'});
  const show = async () => {
    const body = await get(`${base(workflowId)}/diff?from=${from.value}&to=${to.value}`);
    list.replaceChildren(...(body.changes.length
      ? body.changes.map((change) => h('li', {dataset: {kind: change.kind, change: change.change}},
        readable(lang() === 'en' ? change.text_en : change.text)))
      : [h('li', {class: 'muted'}, t('versions.no_changes'))]));
  };
  if (versions.length > 1) show();
  return h('div', {class: 'versions-diff'}, h('h3', {}, t('versions.diff_title')),
    h('div', {class: 'inline-field'}, h('label', {for: 'diff-from'}, t('versions.from')), from,
      h('label', {for: 'diff-to'}, t('versions.to')), to,
      h('button', {type: 'button', id: 'diff-show', onclick: show}, t('versions.compare'))),
    list);
}

// The panel's element, and show(nodes): opens it with an earlier outcome in its result.
function migratePanel(workflowId, versions, definition, stateLabel, reload) {
  const body = h('div', {class: 'migrate-body', hidden: true});
  const open = h('button', {type: 'button', id: 'migrate-open', class: 'primary', onclick: async () => {
    body.hidden = !body.hidden;
    if (!body.hidden) await fill();
  }}, t('versions.migrate'));
  const target = versionSelect('migrate-to', versions, versions[0].version);
  const mapRows = h('tbody', {});
  const result = h('div', {id: 'migrate-result', 'aria-live': 'polite'});
  const confirm = h('button', {type: 'button', id: 'migrate-confirm', class: 'primary', disabled: true,
    onclick: () => run(false)}, t('versions.confirm'));
  const request = (dryRun) => {
    const map = {};
    for (const select of mapRows.querySelectorAll('select')) {
      if (select.value) map[select.dataset.from] = select.value;
    }
    return {to: Number(target.value), map, dry_run: dryRun};
  };
  // Every stage some project of another version is in, mapped onto the target's stages.
  async function fill() {
    const to = Number(target.value);
    const targetStates = (await definition(to)).states;
    const sources = new Map();
    for (const item of versions) {
      if (item.version === to) continue;
      for (const count of item.projects.by_state) {
        if (!sources.has(count.state)) sources.set(count.state, await stateLabel(item.version, count.state, count.label));
      }
    }
    mapRows.replaceChildren(...[...sources].map(([state, label]) => h('tr', {},
      h('th', {scope: 'row'}, label),
      h('td', {}, h('select', {'aria-label': t('versions.map_to_of', {stage: label}), dataset: {from: state}},
        h('option', {value: ''}, t('versions.not_mapped')),
        targetStates.map((item) => h('option', {value: item.id, selected: item.id === state}, pick(item.label, item.id))))))));
    confirm.disabled = true;
    result.replaceChildren();
  }
  async function run(dryRun) {
    confirm.disabled = true;
    try {
      const answer = await post(`${base(workflowId)}/migrations`, request(dryRun));
      result.replaceChildren(...await outcome(answer, stateLabel));
      if (dryRun) {
        confirm.disabled = answer.moved === 0;
      } else {
        toast(t('versions.migrated', {n: answer.moved}));
        await reload(result.childNodes.length ? [...result.childNodes] : null);
      }
    } catch (error) {
      // A refused request's errors come in the page's language (Accept-Language); other
      // details are English, shown on the English screen only.
      const reasons = error.status === 422 ? error.errors.map((item) => item.message).filter(Boolean) : [];
      const detail = error.status === 404 || error.status === 405 ? t('not_available')
        : lang() === 'en' ? `${t('failed')}: ${error.message}` : t('failed');
      result.replaceChildren(h('div', {class: 'error-box'}, h('p', {}, detail),
        reasons.length ? h('ul', {}, reasons.map((reason) => h('li', {}, reason))) : null));
    }
  }
  target.addEventListener('change', fill);
  body.append(h('h3', {}, t('versions.migrate_title')),
      h('div', {class: 'inline-field'}, h('label', {for: 'migrate-to'}, t('versions.migrate_to')), target),
      h('table', {class: 'table compact', id: 'migrate-map'}, h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, t('versions.map_from')), h('th', {scope: 'col'}, t('versions.map_to')))), mapRows),
      h('div', {class: 'actions'}, h('button', {type: 'button', id: 'migrate-preview', onclick: () => run(true)},
        t('versions.preview')), confirm),
      result);
  const show = async (nodes) => {
    body.hidden = false;
    await fill();
    result.replaceChildren(...nodes);
  };
  return {element: h('div', {class: 'versions-migrate'}, open, body), show};
}

async function outcome(answer, stateLabel) {
  const message = (item) => (lang() === 'en' ? item.message_en || item.message : item.message);
  const rows = [];
  for (const row of answer.rows) {
    rows.push(h('tr', {dataset: {outcome: row.outcome}},
      h('th', {scope: 'row'}, userText('span', row.name || row.project)),
      h('td', {}, `${t('versions.version_n', {n: row.from_version})} · ${await stateLabel(row.from_version, row.from_state)}`),
      h('td', {}, row.to_state ? await stateLabel(answer.to, row.to_state) : '—'),
      h('td', {}, t(`versions.outcomes.${row.outcome}`)),
      h('td', {}, row.reasons.length ? h('ul', {}, row.reasons.map((reason) => h('li', {}, message(reason)))) : '—',
        row.notes?.length ? h('ul', {class: 'muted'}, row.notes.map((note) => h('li', {}, message(note)))) : null)));
  }
  return [
    h('p', {class: 'migrate-summary'}, t(answer.dry_run ? 'versions.summary_dry' : 'versions.summary',
      {moved: answer.moved, refused: answer.refused, unchanged: answer.unchanged})),
    h('div', {class: 'table-wrap'}, h('table', {class: 'table compact', id: 'migrate-rows'},
      h('thead', {}, h('tr', {}, [t('project'), t('versions.map_from'), t('versions.map_to'), t('versions.outcome'),
        t('versions.reasons')].map((label) => h('th', {scope: 'col'}, label)))),
      h('tbody', {}, rows))),
  ];
}
