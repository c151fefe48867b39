// Saved filters of the project list (issue 22 item 11), per user on the server
// (/api/saved-filters): choose one to open the list with it, save the filters in use under
// a name (the same name replaces), remove the one chosen.
import {h, toast} from '../dom.js';
import {t} from '../i18n.js';
import {api, post, optional} from '../api.js';

const sameParams = (a, b) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] || '') === (b[key] || ''));
};

function nameDialog(initial) {
  return new Promise((resolve) => {
    const input = h('input', {id: 'saved-filter-name', type: 'text', required: true, maxlength: 40, value: initial});
    const dialog = h('dialog', {class: 'dialog', id: 'saved-filter-dialog', 'aria-label': t('filters.save_title')});
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    dialog.append(h('form', {class: 'transition-form', onsubmit: (event) => {
      event.preventDefault();
      close({name: input.value});
    }},
    h('h2', {}, t('filters.save_title')),
    h('div', {class: 'form-row'}, h('label', {for: 'saved-filter-name'}, t('filters.name')), input),
    h('p', {class: 'help'}, t('filters.save_hint')),
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => close(null)}, t('cancel')),
      h('button', {type: 'submit', class: 'primary'}, t('save')))));
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}

// `current`: the list's filters in use (query parameters, paging aside).
export async function savedFilters(current, {navigate, hashWith}) {
  const answer = await optional('/api/saved-filters').catch(() => null);
  if (!answer) return null;
  const filters = answer.filters;
  const chosen = filters.find((filter) => sameParams(filter.params, current));
  const select = h('select', {id: 'saved-filter', onchange: () => {
    const filter = filters.find((entry) => String(entry.id) === select.value);
    navigate(hashWith('/projects', filter ? filter.params : {}));
  }},
  h('option', {value: ''}, filters.length ? t('filters.choose') : t('filters.none')),
  filters.map((filter) => h('option', {value: String(filter.id), selected: filter === chosen, 'data-user': ''},
    filter.name)));
  const save = async () => {
    let name = chosen?.name || '';
    for (;;) {
      const entered = await nameDialog(name);
      if (!entered) return;
      try {
        await post('/api/saved-filters', {name: entered.name, params: current});
        toast(t('filters.saved', {name: entered.name.trim()}));
        navigate(location.hash);
        return;
      } catch (error) {
        toast(error.errors?.map((entry) => entry.message).join('；') || t('failed'), 'error');
        name = entered.name;
      }
    }
  };
  const remove = async () => {
    if (!chosen) return;
    await api('DELETE', `/api/saved-filters/${chosen.id}`);
    toast(t('filters.removed', {name: chosen.name}));
    navigate(location.hash);
  };
  return h('div', {class: 'saved-filters'},
    h('label', {for: 'saved-filter'}, t('filters.saved_label')), select,
    h('button', {type: 'button', class: 'small', id: 'saved-filter-save', onclick: save}, t('filters.save')),
    chosen ? h('button', {type: 'button', class: 'small', id: 'saved-filter-remove', onclick: remove},
      t('filters.remove')) : null);
}
