// 目标: the promoting units' annual targets (issue 16). Managers and admins edit the grid
// of units × figures (签约项目数, 签约额, 到位资金, 开工项目数); everyone who reads reports sees
// the progress bars and the ranking (docs/reports.md, "Targets").
import {h, userText, clear, toast} from '../dom.js';
import {t, pick, money, dateTime} from '../i18n.js';
import {api, get} from '../api.js';
import {hasRole} from '../main.js';

function isCount(figure) {
  return figure === 'signed_projects' || figure === 'started_projects';
}

function amount(figure, value) {
  if (value === null || value === undefined) return '—';
  return isCount(figure) ? `${Number(value).toLocaleString('zh-CN')} ${t('targets.projects_unit')}` : money(value);
}

function percentText(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

function bar(rate, label) {
  const width = rate === null || rate === undefined ? 0 : Math.min(rate, 1) * 100;
  const fill = h('span', {class: 'progress-fill'});
  fill.style.width = `${width}%`;  // through the CSSOM: the CSP refuses style attributes
  return h('span', {class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': Math.round(width), 'aria-label': label}, fill);
}

export async function render(view, {params}) {
  const year = Number(params.get('year')) || new Date().getFullYear();
  const canEdit = hasRole('manager', 'admin');

  async function load() {
    let data;
    let report;
    try {
      [data, report] = await Promise.all([get(`/api/targets?year=${year}`),
        get(`/api/reports/targets?year=${year}`)]);
    } catch (error) {
      clear(view).append(h('h1', {}, t('targets.title')),
        h('p', {class: 'error-box', role: 'alert'}, error.status === 403 ? t('forbidden') : error.message));
      return;
    }
    const value = new Map(data.targets.map((item) => [`${item.unit}\u0000${item.figure}`, item.value]));
    const units = data.units.map((unit) => ({id: unit.id, label: pick(unit.label, unit.id)}));
    const extraUnits = [];
    const message = h('p', {class: 'form-message', role: 'alert'});

    async function save(unit, figure, input) {
      const text = input.value.trim();
      try {
        await api('PUT', '/api/targets', {year, unit, figure, value: text === '' ? null : Number(text)});
        toast(t('targets.saved'));
        load();
      } catch (error) {
        message.textContent = error.errors?.map((entry) => entry.message).join('；') || error.message;
        input.focus();
      }
    }

    const cell = (unit, figure) => {
      const current = value.get(`${unit}\u0000${figure.id}`);
      if (!canEdit) return h('td', {class: 'num'}, amount(figure.id, current));
      const input = h('input', {type: 'number', min: 0, step: isCount(figure.id) ? 1 : 0.01,
        value: current ?? '', class: 'target-input', dataset: {unit, figure: figure.id},
        'aria-label': `${unit} ${pick(figure.label, figure.id)}`});
      input.addEventListener('change', () => save(unit, figure.id, input));
      return h('td', {}, input);
    };

    const gridBody = h('tbody', {});
    const addRow = (unit) => gridBody.append(h('tr', {},
      userText('th', unit.label, {scope: 'row'}), data.figures.map((figure) => cell(unit.id, figure))));
    units.forEach(addRow);
    const newUnit = h('input', {id: 'target-new-unit', type: 'text', maxlength: 200});
    const addUnit = canEdit ? h('form', {class: 'inline-form', onsubmit: (event) => {
      event.preventDefault();
      const name = newUnit.value.trim();
      if (!name || units.some((unit) => unit.id === name) || extraUnits.includes(name)) return;
      extraUnits.push(name);
      addRow({id: name, label: name});
      newUnit.value = '';
    }}, h('label', {for: 'target-new-unit'}, t('targets.new_unit')), newUnit,
    h('button', {type: 'submit'}, t('targets.add_unit'))) : null;

    const yearInput = h('input', {id: 'target-year', type: 'number', min: 2000, max: 2100, value: year});
    const ranked = report.units;
    clear(view).append(
      h('div', {class: 'view-head'}, h('h1', {}, t('targets.title')),
        h('form', {class: 'inline-form', onsubmit: (event) => {
          event.preventDefault();
          location.hash = `#/targets?year=${yearInput.value}`;
        }}, h('label', {for: 'target-year'}, t('targets.year')), yearInput,
        h('button', {type: 'submit'}, t('apply')))),
      h('section', {class: 'panel'}, h('h2', {}, t('targets.grid', {year})),
        h('table', {class: 'table targets-grid'},
          h('thead', {}, h('tr', {}, h('th', {}, t('targets.unit')),
            data.figures.map((figure) => h('th', {}, pick(figure.label, figure.id),
              figure.unit === '万元' ? t('targets.in_wan') : '')))),
          gridBody),
        canEdit ? h('p', {class: 'muted'}, t('targets.edit_hint')) : null, addUnit, message),
      h('section', {class: 'panel'}, h('h2', {}, t('targets.progress', {through: report.through})),
        h('table', {class: 'table targets-ranking'},
          h('thead', {}, h('tr', {}, h('th', {}, t('targets.rank')), h('th', {}, t('targets.unit')),
            report.figures.map((figure) => h('th', {}, pick(figure.label, figure.id))),
            h('th', {}, t('targets.score')))),
          h('tbody', {}, ranked.map((unit) => h('tr', {dataset: {unit: unit.unit}},
            h('td', {class: 'rank'}, unit.rank ?? '—'),
            userText('td', pick(unit.label, unit.unit)),
            unit.figures.map((item) => h('td', {class: 'progress-cell', dataset: {figure: item.figure}},
              h('div', {}, amount(item.figure, item.actual), ' / ', amount(item.figure, item.target)),
              bar(item.rate, `${pick(unit.label, unit.unit)} · ${pick(report.figures.find((figure) =>
                figure.id === item.figure)?.label, item.figure)}`), h('div', {class: 'muted'}, percentText(item.rate)))),
            h('td', {class: 'score'}, percentText(unit.score)))))),
        h('p', {class: 'muted'}, t('targets.score_hint'))),
      data.history.length ? h('section', {class: 'panel'}, h('h2', {}, t('targets.history')),
        h('table', {class: 'table compact'},
          h('thead', {}, h('tr', {}, [t('time'), t('actor'), t('targets.unit'), t('targets.figure'),
            t('targets.before'), t('targets.after')].map((label) => h('th', {}, label)))),
          h('tbody', {}, data.history.map((change) => h('tr', {},
            h('td', {}, dateTime(change.at)), userText('td', change.by), userText('td', change.unit),
            h('td', {}, pick(data.figures.find((figure) => figure.id === change.figure)?.label, change.figure)),
            h('td', {}, amount(change.figure, change.before)), h('td', {}, amount(change.figure, change.after))))))) : null);
  }

  await load();
}
