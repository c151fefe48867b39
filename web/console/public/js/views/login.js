// Log in: the session cookie is set by the server; the CSRF token is kept for writes.
import {h} from '../dom.js';
import {t} from '../i18n.js';
import {post, setCsrfToken} from '../api.js';
import {loggedIn} from '../main.js';

export function render(view) {
  const username = h('input', {id: 'login-username', name: 'username', autocomplete: 'username', required: true});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true});
  const message = h('p', {class: 'form-message', role: 'alert'});
  const form = h('form', {class: 'login card', onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const body = await post('/api/login', {username: username.value.trim(), password: password.value});
      setCsrfToken(body.csrf_token);
      await loggedIn(body.user);
    } catch (error) {
      message.textContent = error.status === 429 ? t('too_many') : t('login_failed');
    }
  }},
  h('h1', {}, t('login_title')),
  h('div', {class: 'form-row'}, h('label', {for: 'login-username'}, t('username')), username),
  h('div', {class: 'form-row'}, h('label', {for: 'login-password'}, t('password')), password),
  message,
  h('button', {type: 'submit', class: 'primary'}, t('login')));
  view.append(h('div', {class: 'login-page'}, form));
  username.focus();
}
