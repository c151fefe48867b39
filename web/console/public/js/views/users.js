// #/users: 用户管理, for admins. The users (login, name, roles by their Chinese labels, state)
// with create, edit, disable/enable, reset password and delete (a dialog naming the user);
// the API tokens (接口令牌) with create (the secret shown once, with a copy button) and revoke.
// Every change goes through /api/users and /api/tokens, which audit it.
import {h, userText, clear, toast} from '../dom.js';
import {t, dateTime} from '../i18n.js';
import {api, get, post, patch, query} from '../api.js';
import {me, hasRole} from '../main.js';

// A role's label in the current language; a role the console has no label for shows as the
// workflow names it (user data).
function roleLabel(role) {
  const label = t(`roles.${role}`);
  return label === role ? userText('span', role) : label;
}

// The shipped roles from the front line to the top (the server lists roles alphabetically).
const kRoleOrder = ['staff', 'secretariat', 'reviewer', 'manager', 'leader', 'auditor', 'admin'];
function ordered(roles) {
  const rank = (role) => (kRoleOrder.includes(role) ? kRoleOrder.indexOf(role) : kRoleOrder.length);
  return [...roles].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rolesText(roles) {
  const parts = [];
  ordered(roles).forEach((role, index) => {
    if (index) parts.push('、');
    parts.push(roleLabel(role));
  });
  return parts;
}

// "周敏（zhou）", or the login alone when the name is the login.
function who(user) {
  return user.display_name && user.display_name !== user.id ? `${user.display_name}（${user.id}）` : user.id;
}

// What the server said, in the caller's language: each field's message, else the detail.
function messagesOf(error) {
  if (error.errors?.length) return error.errors.map((entry) => entry.message || t('failed'));
  return [error.message || t('failed')];
}

function row(id, label, control, hint) {
  return h('div', {class: 'form-row'}, h('label', {for: id}, label), control,
    hint ? h('small', {class: 'muted', id: `${id}-hint`}, hint) : null);
}

// A modal form: `send` resolves (the answer) or throws the API's error, shown in the dialog.
// Resolves with the answer, or null when cancelled.
function modal({id, title, rows, submitLabel = t('submit'), danger = false, send}) {
  return new Promise((resolve) => {
    const reasons = h('ul', {class: 'reasons', role: 'alert'});
    const submit = h('button', {type: 'submit', class: danger ? 'danger' : 'primary'}, submitLabel);
    const form = h('form', {class: `transition-form${danger ? ' destructive' : ''}`, method: 'dialog'},
      h('h2', {}, title), rows, reasons,
      h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => close(null)}, t('cancel')), submit));
    const dialog = h('dialog', {class: 'dialog', id, 'aria-label': title}, form);
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      reasons.replaceChildren();
      try {
        const answer = await send();
        close(answer ?? true);
      } catch (error) {
        submit.disabled = false;
        for (const message of messagesOf(error)) reasons.append(h('li', {class: 'reason'}, message));
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector('input:not([type=checkbox]), select, button[type=submit]')?.focus();
  });
}

// Checkboxes of the roles a user may hold, labelled in the current language.
function roleBoxes(id, roles, held = []) {
  const boxes = ordered(roles).map((role) => {
    const box = h('input', {type: 'checkbox', id: `${id}-${role}`, value: role, checked: held.includes(role)});
    return h('div', {class: 'form-row checkbox'}, box, h('label', {for: `${id}-${role}`}, roleLabel(role)));
  });
  const fieldset = h('fieldset', {id, class: 'role-boxes'}, h('legend', {}, t('users.roles')), boxes);
  const chosen = () => [...fieldset.querySelectorAll('input:checked')].map((box) => box.value);
  return [fieldset, chosen];
}

function openAddUser(roles) {
  const login = h('input', {id: 'user-id', type: 'text', required: true, maxlength: 64, autocomplete: 'off',
    pattern: '[a-z0-9][a-z0-9._\\-]*', 'aria-describedby': 'user-id-hint'});
  const name = h('input', {id: 'user-name', type: 'text', maxlength: 60, autocomplete: 'off'});
  const unit = h('input', {id: 'user-unit', type: 'text', maxlength: 100, autocomplete: 'off',
    'aria-describedby': 'user-unit-hint'});
  const password = h('input', {id: 'user-password', type: 'password', required: true, minlength: 12,
    autocomplete: 'new-password', 'aria-describedby': 'user-password-hint'});
  const [boxes, chosen] = roleBoxes('user-roles', roles);
  return modal({
    id: 'user-add-dialog', title: t('users.add_title'), submitLabel: t('users.add'),
    rows: [row('user-id', t('users.login'), login, t('users.login_hint')), row('user-name', t('users.name'), name),
      row('user-unit', t('users.unit'), unit, t('users.unit_hint')),
      boxes, row('user-password', t('users.password'), password, t('users.password_hint'))],
    send: () => post('/api/users', {id: login.value.trim(), display_name: name.value.trim() || null,
      unit: unit.value.trim(), roles: chosen(), password: password.value}),
  });
}

function openEditUser(user, roles) {
  const name = h('input', {id: 'edit-name', type: 'text', required: true, maxlength: 60, value: user.display_name});
  const unit = h('input', {id: 'edit-unit', type: 'text', maxlength: 100, value: user.unit || '',
    'aria-describedby': 'edit-unit-hint'});
  const [boxes, chosen] = roleBoxes('edit-roles', roles, user.roles);
  return modal({
    id: 'user-edit-dialog', title: `${t('users.edit_title')}：${who(user)}`, submitLabel: t('save'),
    rows: [row('edit-name', t('users.name'), name), row('edit-unit', t('users.unit'), unit, t('users.unit_hint')), boxes],
    send: () => patch(`/api/users/${encodeURIComponent(user.id)}`,
      {display_name: name.value.trim(), unit: unit.value.trim(), roles: chosen()}),
  });
}

function openPassword(user) {
  const password = h('input', {id: 'reset-password', type: 'password', required: true, minlength: 12,
    autocomplete: 'new-password', 'aria-describedby': 'reset-password-hint'});
  const revoke = h('input', {id: 'reset-revoke', type: 'checkbox'});
  return modal({
    id: 'user-password-dialog', title: `${t('users.password_title')}：${who(user)}`, submitLabel: t('users.reset_password'),
    rows: [row('reset-password', t('users.new_password'), password, t('users.password_hint')),
      h('div', {class: 'form-row checkbox'}, revoke, h('label', {for: 'reset-revoke'}, t('users.revoke_tokens'))),
      h('p', {class: 'muted'}, t('users.password_effect'))],
    send: () => post(`/api/users/${encodeURIComponent(user.id)}/password`,
      {password: password.value, revoke_tokens: revoke.checked}),
  });
}

function openDelete(user) {
  return modal({
    id: 'user-delete-dialog', title: t('users.delete_title'), submitLabel: t('users.delete'), danger: true,
    rows: [h('p', {class: 'delete-question'}, t('users.delete_confirm_before'), userText('strong', who(user), {class: 'dialog-subject'}),
      t('users.delete_confirm_after')), h('p', {class: 'muted'}, t('users.delete_effect'))],
    send: () => api('DELETE', `/api/users/${encodeURIComponent(user.id)}`),
  });
}

function openAddToken(users, chosenUser) {
  const user = h('select', {id: 'token-user', required: true},
    users.map((each) => h('option', {value: each.id, selected: each.id === chosenUser, 'data-user': ''}, who(each))));
  const name = h('input', {id: 'token-name', type: 'text', required: true, maxlength: 30, autocomplete: 'off',
    'aria-describedby': 'token-name-hint'});
  const expires = h('select', {id: 'token-expires'},
    [['30', t('users.days_30')], ['90', t('users.days_90')], ['365', t('users.days_365')], ['never', t('users.never')]]
      .map(([value, label]) => h('option', {value, selected: value === '90'}, label)));
  return modal({
    id: 'token-add-dialog', title: t('users.token_title'), submitLabel: t('users.add_token'),
    rows: [row('token-user', t('users.token_user'), user), row('token-name', t('users.token_name'), name, t('users.token_name_hint')),
      row('token-expires', t('users.expires'), expires)],
    send: () => post('/api/tokens', {user: user.value, name: name.value.trim(),
      expires_in_days: expires.value === 'never' ? null : Number(expires.value)}),
  });
}

async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('users.copied'));
  } catch {
    field.focus();
    field.select();
    toast(t('users.copy_failed'), 'error');
  }
}

// The secret, once: a read-only field, a copy button and the warning.
function showSecret(token) {
  return new Promise((resolve) => {
    const field = h('input', {id: 'token-secret', type: 'text', readonly: true, value: token.secret,
      class: 'secret', 'data-user': '', 'aria-describedby': 'token-secret-warning', spellcheck: 'false'});
    const close = () => {
      field.value = '';
      dialog.close();
      dialog.remove();
      resolve();
    };
    const dialog = h('dialog', {class: 'dialog', id: 'token-secret-dialog', 'aria-label': t('users.secret_title')},
      h('h2', {}, t('users.secret_title')),
      h('p', {class: 'muted'}, `${t('users.token_user')}：`, userText('span', token.user), ` · ${t('users.token_name')}：`,
        userText('span', token.name)),
      h('p', {class: 'warning secret-warning', id: 'token-secret-warning', role: 'alert'}, t('users.secret_warning')),
      h('div', {class: 'form-row'}, h('label', {for: 'token-secret'}, t('users.secret_label')), field),
      h('div', {class: 'actions'},
        h('button', {type: 'button', id: 'token-copy', onclick: () => copyText(token.secret, field)}, t('users.copy')),
        h('button', {type: 'button', class: 'primary', id: 'token-secret-close', onclick: close}, t('users.secret_done'))));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(); });
    document.body.append(dialog);
    dialog.showModal();
    field.select();
  });
}

function tokenState(token) {
  return t(`users.token_${token.state}`);
}

export async function render(view, {params}, {navigate, hashWith}) {
  clear(view);
  if (!hasRole('admin')) {
    view.append(h('h1', {}, t('users.title')), h('p', {class: 'muted'}, t('users.forbidden')));
    return;
  }
  const tokenUser = params.get('user') || '';
  const message = h('p', {class: 'form-message', id: 'users-message', role: 'alert'});
  const fail = (error) => {
    message.textContent = messagesOf(error).join('；');
  };
  let listed;
  let tokens;
  try {
    [listed, tokens] = await Promise.all([get('/api/users'), get(`/api/tokens${query({user: tokenUser})}`)]);
  } catch (error) {
    view.append(h('h1', {}, t('users.title')), h('p', {class: 'error-box', role: 'alert'}, messagesOf(error).join('；')));
    return;
  }
  const users = listed.users;
  const roles = listed.roles;
  const reload = () => render(view, {params}, {navigate, hashWith});
  const act = async (work, done) => {
    message.textContent = '';
    try {
      const answer = await work();
      if (!answer) return;
      if (done) toast(done);
      await reload();
    } catch (error) {
      fail(error);
    }
  };
  const self = me()?.id;

  const userRows = users.map((user) => h('tr', {dataset: {login: user.id}, class: user.disabled ? 'user-disabled' : null},
    h('td', {}, userText('span', user.id, {class: 'user-login'}), user.id === self ? t('users.you') : null),
    h('td', {}, userText('span', user.display_name)),
    h('td', {class: 'user-unit'}, user.unit ? userText('span', user.unit) : '—'),
    h('td', {class: 'user-roles'}, rolesText(user.roles)),
    h('td', {class: 'user-state'}, user.disabled ? t('users.disabled') : t('users.enabled')),
    h('td', {class: 'row-actions'},
      h('button', {type: 'button', class: 'small edit-user', onclick: () => act(() => openEditUser(user, roles), t('users.saved'))},
        t('users.edit')),
      h('button', {type: 'button', class: 'small toggle-user', onclick: () => act(
        () => patch(`/api/users/${encodeURIComponent(user.id)}`, {disabled: !user.disabled}),
        t(user.disabled ? 'users.enabled_done' : 'users.disabled_done', {name: who(user)}))},
      user.disabled ? t('users.enable') : t('users.disable')),
      h('button', {type: 'button', class: 'small password-user', onclick: () => act(() => openPassword(user), t('users.password_done'))},
        t('users.reset_password')),
      h('button', {type: 'button', class: 'small danger delete-user', onclick: () => act(() => openDelete(user),
        t('users.deleted', {name: who(user)}))}, t('users.delete')))));
  const head = (labels) => h('thead', {}, h('tr', {}, labels.map((label) => h('th', {scope: 'col'}, label))));
  const usersTable = users.length
    ? h('div', {class: 'table-wrap'}, h('table', {class: 'table users-table'},
      head([t('users.login'), t('users.name'), t('users.unit'), t('users.roles'), t('users.state'), t('users.actions')]),
      h('tbody', {}, userRows)))
    : h('p', {class: 'muted'}, t('users.no_users'));

  const names = new Map(users.map((user) => [user.id, user]));
  const tokenRows = tokens.items.map((token) => h('tr', {dataset: {token: token.id, state: token.state}},
    h('td', {}, userText('span', names.has(token.user) ? who(names.get(token.user)) : token.user)),
    h('td', {}, userText('span', token.name, {class: 'token-name'})),
    h('td', {}, dateTime(token.created_at)),
    h('td', {}, token.expires_at ? dateTime(token.expires_at) : t('users.never')),
    h('td', {class: 'token-last-used'}, token.last_used_at ? dateTime(token.last_used_at) : t('users.never_used')),
    h('td', {class: 'token-state'}, tokenState(token)),
    h('td', {class: 'row-actions'}, token.state === 'revoked' ? null
      : h('button', {type: 'button', class: 'small danger revoke-token', onclick: () => act(() => modal({
        id: 'token-revoke-dialog', title: t('users.revoke_title'), submitLabel: t('users.revoke'), danger: true,
        rows: [h('p', {}, t('users.revoke_before'), userText('strong', token.name, {class: 'dialog-subject'}),
          t('users.revoke_of'), userText('span', token.user), t('users.revoke_after'))],
        send: () => api('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`),
      }), t('users.revoked_done'))}, t('users.revoke')))));
  const filter = h('select', {id: 'token-filter', onchange: () => navigate(hashWith('/users', {user: filter.value}))},
    h('option', {value: ''}, t('users.all_users')),
    users.map((user) => h('option', {value: user.id, selected: user.id === tokenUser, 'data-user': ''}, who(user))));
  const tokensTable = tokens.items.length
    ? h('div', {class: 'table-wrap'}, h('table', {class: 'table tokens-table'},
      head([t('users.token_user'), t('users.token_name'), t('users.created'), t('users.expires_at'),
        t('users.last_used'), t('users.state'), t('users.actions')]), h('tbody', {}, tokenRows)))
    : h('p', {class: 'muted'}, t('users.no_tokens'));

  view.append(
    h('div', {class: 'view-head'}, h('h1', {}, t('users.title')),
      h('button', {type: 'button', class: 'primary', id: 'user-add', onclick: () => act(() => openAddUser(roles), t('users.added'))},
        t('users.add'))),
    h('p', {class: 'muted'}, t('users.intro')), message,
    h('section', {'aria-labelledby': 'users-heading'}, h('h2', {id: 'users-heading'}, t('users.people')), usersTable),
    h('section', {'aria-labelledby': 'tokens-heading', class: 'tokens'},
      h('div', {class: 'view-head'}, h('h2', {id: 'tokens-heading'}, t('users.tokens')),
        h('button', {type: 'button', id: 'token-add', onclick: () => act(async () => {
          const made = await openAddToken(users, tokenUser);
          if (made) await showSecret(made);
          return made;
        })}, t('users.add_token'))),
      h('p', {class: 'muted'}, t('users.tokens_intro')),
      h('div', {class: 'form-row'}, h('label', {for: 'token-filter'}, t('users.token_user')), filter),
      tokensTable));
}
