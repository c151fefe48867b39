// Importing projects from a spreadsheet: choose the workflow, drop (or pick) a CSV or XLSX
// file, see the preview (every row's action, every problem with the row and the column,
// the values as they will be stored), choose a key column to update instead of duplicate,
// confirm; then the summary. The server decides everything (POST
// /api/workflows/{id}/imports, dry_run=true for the preview).
import {h, append, clear, userText, toast} from '../dom.js';
import {t, pick} from '../i18n.js';
import {api, query, workflow as loadWorkflow, workflows as loadWorkflows} from '../api.js';
import {defaultWorkflow} from './board.js';

const kXlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function contentType(file) {
  return /\.xlsx$/i.test(file.name) ? kXlsxType : 'text/csv';
}

export async function render(view, {params}, {navigate, hashWith}) {
  const list = await loadWorkflows();
  const workflowId = params.get('workflow') || defaultWorkflow(list);
  const workflow = await loadWorkflow(workflowId);
  const state = {file: null, ignore: [], report: null};

  const workflowSelect = h('select', {id: 'import-workflow', onchange: (event) =>
    navigate(hashWith('/import', {workflow: event.target.value}))},
  list.map((item) => h('option', {value: item.id, selected: item.id === workflowId}, pick(item.title, item.id))));
  // The key: 项目编号, or any field (sent by its id, shown by its label).
  const keySelect = h('select', {id: 'import-key'},
    h('option', {value: ''}, t('import.key_none')),
    h('option', {value: 'id'}, t('import.id_column')),
    workflow.fields.map((field) => h('option', {value: field.name}, pick(field.label, field.name))));
  const partial = h('input', {id: 'import-partial', type: 'checkbox'});
  const fileInput = h('input', {id: 'import-file', type: 'file', class: 'sr-only',
    accept: `.csv,.xlsx,text/csv,${kXlsxType}`, onchange: () => choose(fileInput.files[0])});
  const fileName = userText('span', '', {class: 'file-name'});
  const drop = h('label', {for: 'import-file', class: 'dropzone', id: 'import-drop', tabindex: '0'},
    h('span', {}, t('import.drop')), fileName);
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    if (event.dataTransfer.files.length) choose(event.dataTransfer.files[0]);
  });
  drop.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); fileInput.click(); }
  });
  const previewButton = h('button', {type: 'button', id: 'import-preview', onclick: () => send(true)}, t('import.preview'));
  const confirmButton = h('button', {type: 'button', id: 'import-confirm', class: 'primary', disabled: true,
    onclick: () => send(false)}, t('import.confirm'));
  const result = h('section', {id: 'import-result', 'aria-live': 'polite'});
  keySelect.addEventListener('change', () => invalidate());
  partial.addEventListener('change', () => updateConfirm());

  function choose(file) {
    if (!file) return;
    state.file = file;
    state.ignore = [];
    fileName.textContent = file.name;
    send(true);
  }

  // A setting changed: the preview no longer says what an import would do.
  function invalidate() {
    state.report = null;
    updateConfirm();
    if (state.file) send(true);
  }

  function updateConfirm() {
    const report = state.report;
    const writable = report && report.summary.created + report.summary.updated > 0;
    confirmButton.disabled = !writable || (report.summary.refused > 0 && !partial.checked);
  }

  async function send(dryRun) {
    if (!state.file) {
      toast(t('import.no_file'), 'error');
      return;
    }
    previewButton.disabled = true;
    confirmButton.disabled = true;
    try {
      const path = `/api/workflows/${encodeURIComponent(workflowId)}/imports${query({
        dry_run: dryRun ? 'true' : 'false', partial: partial.checked ? 'true' : '',
        key: keySelect.value, ignore_columns: state.ignore.join(',')})}`;
      const report = await api('POST', path, state.file, {'Content-Type': contentType(state.file)});
      state.report = dryRun ? report : null;
      showReport(report);
      if (!dryRun && report.written) toast(t('import.done'));
    } catch (error) {
      state.report = null;
      showProblem(error);
    } finally {
      previewButton.disabled = false;
      updateConfirm();
    }
  }

  function showProblem(error) {
    const unknown = error.code === 'import_unknown_columns' ? error.errors.map((item) => item.field) : [];
    clear(result).append(h('div', {class: 'error-box', role: 'alert'},
      h('p', {}, error.message),
      unknown.length ? [
        h('p', {}, t('import.unknown_columns'), ' ', unknown.map((name, index) =>
          [index ? '、' : '', userText('strong', name)])),
        h('button', {type: 'button', id: 'import-ignore', onclick: () => {
          state.ignore = [...state.ignore, ...unknown];
          send(true);
        }}, t('import.ignore_and_retry'))] : null));
  }

  function showReport(report) {
    const summary = report.summary;
    const rows = report.rows.filter((row) => report.dry_run || row.action !== 'unchanged' || row.problems.length);
    append(clear(result), [
      h('h2', {}, report.dry_run ? t('import.preview') : t('import.done')),
      h('p', {class: 'import-summary', id: 'import-summary'}, t('import.summary', summary)),
      report.dry_run ? h('p', {class: 'muted'}, t('import.dry_run_note'))
        : (!report.written ? h('p', {class: 'muted'}, t('import.not_written')) : null),
      report.ignored_columns.length ? h('p', {class: 'muted'},
        t('import.ignored', {list: report.ignored_columns.join('、')})) : null,
      report.dry_run && summary.refused > 0 ? h('p', {class: 'reasons', role: 'alert'}, t('import.fix_or_partial')) : null,
      h('div', {class: 'table-wrap'}, h('table', {class: 'table import-table'},
        h('thead', {}, h('tr', {}, [t('import.row'), t('import.action'), t('import.problems'), t('import.values')]
          .map((label) => h('th', {scope: 'col'}, label)))),
        h('tbody', {}, rows.map((row) => rowElement(report, row)))))]);
  }

  function rowElement(report, row) {
    const written = !report.dry_run && report.written && (row.action === 'create' || row.action === 'update');
    const problems = row.problems.map((problem) => h('li', {},
      `${problem.column || t('import.whole_row')}${t('import.colon')}`, userText('span', problem.message)));
    const values = row.values.map((value) => [
      h('dt', {}, value.column),
      h('dd', {}, userText('span', value.value),
        value.note ? userText('span', t('import.note', {note: value.note}), {class: 'muted'}) : null)]);
    return h('tr', {class: `import-${row.action}`, dataset: {row: row.row}},
      h('td', {class: 'number'}, String(row.row)),
      h('td', {}, t(`import.actions.${row.action}`), written ?
        [' ', h('a', {href: `#/projects/${encodeURIComponent(row.project_id)}`}, t('import.open'))] : null),
      h('td', {}, problems.length ? h('ul', {class: 'reasons'}, problems) : ''),
      h('td', {}, h('dl', {class: 'import-values'}, values)));
  }

  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('import.title'))),
    h('form', {class: 'panel import-form', onsubmit: (event) => event.preventDefault()},
      h('div', {class: 'form-row'}, h('label', {for: 'import-workflow'}, t('workflow')), workflowSelect),
      h('div', {class: 'form-row'}, h('span', {class: 'label'}, t('import.file')), drop, fileInput),
      h('div', {class: 'form-row'}, h('label', {for: 'import-key'}, t('import.key')), keySelect,
        h('p', {class: 'muted'}, t('import.key_hint'))),
      h('div', {class: 'form-row checkbox'}, partial, h('label', {for: 'import-partial'}, t('import.partial'))),
      h('div', {class: 'actions'}, previewButton, confirmButton)),
    result);
}
