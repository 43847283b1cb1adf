/**
 * The comms-kit demo's wiring: the page is comms-kit's own elements (index.html); this file
 * points <comms-client> at the gateway that serves the page, resumes a saved session, and keeps
 * the layout in step (signed in or out, the phone's tabs, the devices dialog, the tip). The
 * elements do everything else: signing in, the roster, calls, chat, devices.
 *
 * The page's own texts come in English and French, like the elements': the FR/EN button sets the
 * page's `lang`, which the elements follow, and swaps the texts marked `data-text` (and the
 * labels marked `data-label`); the choice is remembered in localStorage.
 *
 * The session is kept in this tab's sessionStorage (the core's `authentication.storage`: it
 * saves the session at sign-in and at each token renewal, and removes it at sign-out), so a
 * reload stays signed in while a second tab or window signs in as someone else.
 */
import '/cdn/comms-kit.js';

const $ = (id) => document.getElementById(id);
const provider = document.querySelector('comms-client');
const login = document.querySelector('comms-login');
const SESSION_KEY = 'comms-kit:session';
const TIP_KEY = 'comms-kit-demo:tip-dismissed';
const LANG_KEY = 'comms-kit-demo:lang';

// ── the page's texts, in English and French ─────────────────────────────────────────────

const TEXTS = {
  en: {
    title: 'comms-kit: calls and chat',
    language: 'English',
    devices: 'Devices',
    signOut: 'Sign out',
    introTitle: 'Calls and chat, in a few HTML tags.',
    lede: "Voice and video calls, messages and presence between people on this server, built from comms-kit's own elements.",
    resuming: 'Signing you back in…',
    stepsTitle: 'Try it with two people',
    step1: 'Create an account (or sign in).',
    step2Lead: 'Open this page in a second window',
    step2: ' (or another browser) and create a second account there.',
    step3: 'Find each other under People, add each other, then call or chat.',
    tipLead: 'Tip:',
    tip: ' open this page in a second window, sign in there as another user, and add each other under People to call yourself.',
    tipClose: 'Dismiss the tip',
    sections: 'Sections',
    people: 'People',
    calls: 'Calls',
    messages: 'Messages',
    newVoicemails: 'new voicemails: {count}',
    unreadMessages: 'unread messages: {count}',
    noCalls: 'No calls right now.',
    noCallsHint: 'Call a contact from People, or anyone by user name below.',
    callSomeone: 'Call someone',
    close: 'Close',
  },
  fr: {
    title: 'comms-kit : appels et messages',
    language: 'Français',
    devices: 'Appareils',
    signOut: 'Se déconnecter',
    introTitle: 'Appels et messages, en quelques balises HTML.',
    lede: 'Appels audio et vidéo, messages et présence entre les personnes de ce serveur, faits des éléments de comms-kit.',
    resuming: 'Reconnexion en cours…',
    stepsTitle: 'Essayez à deux',
    step1: 'Créez un compte (ou connectez-vous).',
    step2Lead: 'Ouvrez cette page dans une deuxième fenêtre',
    step2: ' (ou un autre navigateur) et créez-y un deuxième compte.',
    step3: 'Trouvez-vous dans Personnes, ajoutez-vous l’un l’autre, puis appelez ou écrivez.',
    tipLead: 'Astuce :',
    tip: ' ouvrez cette page dans une deuxième fenêtre, connectez-vous-y avec un autre compte et ajoutez-vous l’un l’autre dans Personnes pour vous appeler vous-même.',
    tipClose: 'Fermer l’astuce',
    sections: 'Sections',
    people: 'Personnes',
    calls: 'Appels',
    messages: 'Messages',
    newVoicemails: 'nouveaux messages vocaux : {count}',
    unreadMessages: 'messages non lus : {count}',
    noCalls: 'Aucun appel pour l’instant.',
    noCallsHint:
      'Appelez un contact depuis Personnes, ou qui vous voulez par son nom d’utilisateur ci-dessous.',
    callSomeone: 'Appeler quelqu’un',
    close: 'Fermer',
  },
};

/** The remembered language, else the browser's if the demo speaks it, else English. */
let lang = localStorage.getItem(LANG_KEY) ?? (navigator.language.startsWith('fr') ? 'fr' : 'en');

/** A text of the page in its language. */
const t = (key) => TEXTS[lang][key];

/** Sets the page's language: its `lang` (the elements follow it) and its own texts. */
function setLanguage(next) {
  lang = TEXTS[next] ? next : 'en';
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = t(el.dataset.text);
  for (const el of document.querySelectorAll('[data-label]'))
    el.setAttribute('aria-label', t(el.dataset.label));
  // The button offers the other language: its code, and its name in that language (the
  // accessible name starts with what the button shows, for speech input).
  const other = lang === 'fr' ? 'en' : 'fr';
  const button = $('lang');
  button.textContent = other.toUpperCase();
  button.lang = other;
  button.setAttribute('aria-label', `${other.toUpperCase()} – ${TEXTS[other].language}`);
}

setLanguage(lang);
$('lang').addEventListener('click', () => {
  setLanguage(lang === 'fr' ? 'en' : 'fr');
  localStorage.setItem(LANG_KEY, lang);
  render();
  renderBadges();
});

provider.config = {
  server: location.origin,
  authentication: { storage: sessionStorage, storageKey: SESSION_KEY },
};
await provider.updateComplete;
const client = provider.activeClient;

// ── signed in or out ───────────────────────────────────────────────────────────────────

let resuming = sessionStorage.getItem(SESSION_KEY) !== null;

/** Shows the signed-in layout, the sign-in form, or "Signing you back in…". */
function render() {
  const { status, user } = client.store.getState().auth;
  const view = status === 'authenticated' ? 'signed-in' : resuming ? 'starting' : 'signed-out';
  document.body.dataset.view = view;
  document.querySelector('.resuming').textContent = view === 'starting' ? t('resuming') : '';
  if (view !== 'signed-in' || !user) return;
  const name = user.displayName || user.username || user.id;
  $('me-name').textContent = name;
  $('me-id').textContent = user.username ? `@${user.username}` : '';
  $('me-avatar').textContent = initials(name);
  $('tip').hidden = localStorage.getItem(TIP_KEY) === '1';
}

/** Up to two initials of a name, for the avatar. */
function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [name];
  return letters.map((w) => [...w][0]?.toUpperCase() ?? '').join('');
}

client.store.select((s) => s.auth, render);

$('sign-out').addEventListener('click', () => void login.signOut());
provider.addEventListener('comms-signed-out', () => showPane('people'));

if (resuming) {
  try {
    await client.connect(); // resumes the saved session
  } catch {
    // Expired or revoked: the core dropped it; the sign-in form shows.
  }
  resuming = false;
  render();
}

// ── the phone's tabs (wider screens show the three panes side by side) ─────────────────

const tabs = [...document.querySelectorAll('[role="tab"]')];

/** Shows one pane on a narrow screen: `people`, `calls` or `chat`. */
function showPane(pane, focus = false) {
  $('workspace').dataset.pane = pane;
  for (const tab of tabs) {
    const selected = tab.getAttribute('aria-controls') === pane;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
}

for (const tab of tabs) {
  tab.addEventListener('click', () => showPane(tab.getAttribute('aria-controls')));
  tab.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    const index = { Home: 0, End: tabs.length - 1 }[event.key];
    if (step === undefined && index === undefined) return;
    event.preventDefault();
    const next = tabs[index ?? (tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    showPane(next.getAttribute('aria-controls'), true);
  });
}

/**
 * What waits in a pane the phone does not show: the new voicemails on the Calls tab, the
 * unread messages on the Messages tab (a count, and in the tab's name).
 */
function renderBadges() {
  const [voicemails, messages] = waiting(client.store.getState());
  const counts = {
    calls: [voicemails, 'newVoicemails'],
    chat: [messages, 'unreadMessages'],
  };
  for (const [pane, [count, key]] of Object.entries(counts)) {
    const badge = $(`${pane}-badge`);
    badge.hidden = !count;
    badge.textContent = count ? String(count) : '';
    // Heard in the tab's name after the visible one ("Calls (new voicemails: 1)").
    $(`${pane}-waiting`).textContent = count ? `(${t(key).replace('{count}', count)})` : '';
  }
}

/** The new voicemails and the unread messages. */
const waiting = (state) => [
  state.voicemail.voicemails.filter((v) => v.heardAt === null).length,
  Object.values(state.conversations.byKey).reduce((sum, c) => sum + (c.unread ?? 0), 0),
];
client.store.select((s) => waiting(s).join(), renderBadges);

// The pane a person needs next: a call placed or ringing shows Calls, a chat opened shows
// Messages. Only the layout changes; the elements carry out the requests.
provider.addEventListener('comms-call-request', () => showPane('calls'));
provider.addEventListener('comms-call-received', () => showPane('calls'));
provider.addEventListener('comms-chat-request', () => showPane('chat'));

// ── the devices dialog ─────────────────────────────────────────────────────────────────

const settings = $('settings');
const picker = settings.querySelector('comms-device-picker');
$('settings-button').addEventListener('click', () => {
  // The camera preview and microphone meter run only while the dialog is open.
  picker.noPreview = false;
  picker.noMeter = false;
  settings.showModal();
});
settings.addEventListener('close', () => {
  picker.noPreview = true;
  picker.noMeter = true;
});
settings.addEventListener('click', (event) => {
  if (event.target === settings) settings.close(); // a click on the backdrop
});

// ── the first-visit tip ────────────────────────────────────────────────────────────────

$('tip-close').addEventListener('click', () => {
  localStorage.setItem(TIP_KEY, '1');
  $('tip').hidden = true;
});
