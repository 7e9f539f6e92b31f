import type { Mail } from '../adapters/mail.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The link that confirms a new account (valid 24 hours). */
export function confirmAccountMail(to: string, name: string, link: string): Mail {
  const text = [
    `Bonjour ${name},`,
    '',
    'Pour activer votre compte OC Pizza, ouvrez ce lien (valable 24 heures) :',
    link,
    '',
    'Si vous n’avez pas créé de compte, ignorez ce message : rien ne sera fait.',
    '',
    'OC Pizza',
  ].join('\n');
  const html = `<p>Bonjour ${escape(name)},</p>
<p>Pour activer votre compte OC Pizza, ouvrez ce lien (valable 24 heures) :</p>
<p><a href="${escape(link)}">Activer mon compte</a></p>
<p>Si vous n’avez pas créé de compte, ignorez ce message : rien ne sera fait.</p>
<p>OC Pizza</p>`;
  return { to, subject: 'Activez votre compte OC Pizza', text, html };
}

/** Someone signed up with an address that has an account: its owner is told, nothing changes. */
export function accountExistsMail(to: string, loginUrl: string): Mail {
  const text = [
    'Bonjour,',
    '',
    'Quelqu’un (vous, sans doute) a voulu créer un compte OC Pizza avec cette adresse, qui en a déjà un.',
    `Connectez-vous avec votre mot de passe : ${loginUrl}`,
    '',
    'Si ce n’était pas vous, ignorez ce message : votre compte n’a pas changé.',
    '',
    'OC Pizza',
  ].join('\n');
  const html = `<p>Bonjour,</p>
<p>Quelqu’un (vous, sans doute) a voulu créer un compte OC Pizza avec cette adresse, qui en a déjà un.</p>
<p><a href="${escape(loginUrl)}">Me connecter</a></p>
<p>Si ce n’était pas vous, ignorez ce message : votre compte n’a pas changé.</p>
<p>OC Pizza</p>`;
  return { to, subject: 'Vous avez déjà un compte OC Pizza', text, html };
}
