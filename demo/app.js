/**
 * The comms-kit demo's wiring: the page is comms-kit's own elements (index.html); this file
 * points <comms-client> at the gateway that serves the page, resumes a saved session, and keeps
 * the layout in step (signed in or out, the phone's tabs, the devices dialog, the tip). The
 * elements do everything else: signing in, the roster, calls, chat, devices.
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
  document.querySelector('.resuming').textContent =
    view === 'starting' ? 'Signing you back in…' : '';
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
