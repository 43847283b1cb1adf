import { html, nothing } from 'lit';
import type { Credentials } from '../../core/auth/types.js';
import type { BasicError } from '../../core/errors.js';
import type { UserInfo } from '../../core/protocol/schema.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController, type MessageKey } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import { CommsSignedInEvent, CommsSignedOutEvent, toBasicError } from '../shared/events.js';
import { tokens } from '../shared/tokens.js';
import { styles } from './login.styles.js';

/** The form's fields. */
type Field = 'username' | 'password' | 'displayName' | 'email';

/** An error shown on the form: on one field, or on the whole form. */
interface FormError {
  field: Field | 'form';
  text: string;
}

/** The gateway's rule for a user name (`Username` in the protocol schema). */
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** The credentials for an identity typed as a user name, an email or an E.164 number. */
function credentialsFor(identity: string, password: string): Credentials {
  if (identity.includes('@')) return { email: identity, password };
  if (/^\+[0-9]+$/.test(identity)) return { number: identity, password };
  return { username: identity.toLowerCase(), password };
}

/**
 * Sign in and sign up against the gateway: a user name (or email) and password form, a
 * "create an account" mode that adds a display name and an optional email, and, once signed
 * in, who you are and a sign-out button. It uses the client's `auth` namespace:
 * `client.connect({username, password})`, `client.auth.signup(…)` then `connect`, and
 * `client.auth.logout()`. Errors show under the field they concern (`aria-describedby`,
 * `aria-invalid`) and are announced: a wrong user name or password, a password the server
 * finds too weak (with its reason), a name already taken, too many attempts, an unreachable
 * server. The password is read from its field when the form is sent and kept nowhere else.
 *
 * Put it inside `<comms-client>` (anywhere in its slot), next to the elements that need a
 * signed-in client.
 *
 * @tag comms-login
 * @event comms-signed-in - The user signed in here and the client is connected. `detail.user` is the user record.
 * @event comms-signed-out - The user signed out here (`client.auth.logout`).
 * @csspart base - The element's box.
 * @csspart announcer - The visually hidden live regions.
 * @csspart form - The sign-in or sign-up form.
 * @csspart title - The form's heading.
 * @csspart field - Each label, input and message group.
 * @csspart label - Each field's label.
 * @csspart input - Each field.
 * @csspart help - A field's hint (user name rule, password advice).
 * @csspart field-error - A field's error.
 * @csspart form-error - An error about the whole form (wrong credentials, rate limited, offline).
 * @csspart submit-button - Signs in, or creates the account.
 * @csspart mode-button - Switches between signing in and creating an account.
 * @csspart signed-in - Who is signed in, and the sign-out button.
 * @csspart sign-out-button - Signs out.
 * @cssproperty --comms-login-width - The element's maximum width (default 22rem).
 */
export class CommsLogin extends CommsElement {
  static override styles = [tokens, styles];

  static override properties = {
    mode: { type: String, reflect: true },
    /** @private */
    _busy: { state: true, attribute: false },
    /** @private */
    _errors: { state: true, attribute: false },
  };

  /** `signin` (default) or `signup`: which form shows. The mode button switches it. */
  declare mode: 'signin' | 'signup';

  /** @internal */
  declare _busy: boolean;
  /** @internal */
  declare _errors: FormError[];

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  readonly #user = new StoreController(this, (s) =>
    s.auth.status === 'authenticated' ? s.auth.user : null,
  );
  #focusAfterRender: string | undefined;

  constructor() {
    super();
    this.mode = 'signin';
    this._busy = false;
    this._errors = [];
  }

  /** True while signing in, creating an account or signing out. */
  get busy(): boolean {
    return this._busy;
  }

  protected override updated(): void {
    const focus = this.#focusAfterRender;
    this.#focusAfterRender = undefined;
    if (focus) this.renderRoot.querySelector<HTMLElement>(focus)?.focus();
  }

  #switchMode(): void {
    this.mode = this.mode === 'signup' ? 'signin' : 'signup';
    this._errors = [];
    this.#focusAfterRender = '#username';
  }

  /** An error in the user's words, and the field it concerns. */
  #describe(error: BasicError): FormError {
    const t = this.#l10n.t.bind(this.#l10n);
    switch (error.code) {
      case 'auth:invalidCredentials':
        return { field: 'password', text: t('login.error.credentials') };
      case 'password:weak':
        return { field: 'password', text: t('login.error.weak', { reason: error.message }) };
      case 'identity:taken':
        return { field: 'username', text: t('login.error.taken') };
      case 'rate:limited':
        return { field: 'form', text: t('login.error.rateLimited') };
      case 'network:error':
      case 'connection:lost':
      case 'request:timeout':
        return { field: 'form', text: t('login.error.network') };
      case 'identity:invalid':
      case 'request:invalid':
        return { field: 'form', text: t('login.error.invalid', { reason: error.message }) };
      default:
        return { field: 'form', text: t('error.action', { reason: error.message }) };
    }
  }

  #show(errors: FormError[]): void {
    this._errors = errors;
    if (!errors.length) return;
    this.#announcer.announce(errors.map((e) => e.text).join('. '), true);
    const first = errors[0]!;
    this.#focusAfterRender = first.field === 'form' ? undefined : `#${first.field}`;
  }

  /** Checks the fields before anything is sent; the server checks again. */
  #check(values: Record<Field, string>): FormError[] {
    const t = this.#l10n.t.bind(this.#l10n);
    const errors: FormError[] = [];
    const required = (field: Field, key: MessageKey) => {
      if (!values[field])
        errors.push({ field, text: t('login.error.required', { field: t(key) }) });
    };
    const signup = this.mode === 'signup';
    required('username', signup ? 'login.username' : 'login.identity');
    if (signup && values.username && !USERNAME.test(values.username))
      errors.push({ field: 'username', text: t('login.error.username') });
    required('password', 'login.password');
    return errors;
  }

  async #onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this._busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const field = (name: Field) =>
      (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    const values: Record<Field, string> = {
      username: field('username').trim(),
      password: field('password'),
      displayName: field('displayName').trim(),
      email: field('email').trim(),
    };
    const errors = this.#check(values);
    if (errors.length) {
      this.#show(errors);
      return;
    }
    const client = this.activeClient;
    if (!client || client.destroyed) {
      this.#show([{ field: 'form', text: this.#l10n.t('login.error.noClient') }]);
      return;
    }
    this._busy = true;
    this._errors = [];
    try {
      if (this.mode === 'signup') {
        await client.auth.signup({
          username: values.username.toLowerCase(),
          password: values.password,
          ...(values.displayName ? { displayName: values.displayName } : {}),
          ...(values.email ? { email: values.email } : {}),
        });
        // The account exists: if signing in fails now, trying again signs in.
        this.mode = 'signin';
        values.username = values.username.toLowerCase();
      }
      const info = await client.connect(credentialsFor(values.username, values.password));
      form.reset();
      const user = info.user as UserInfo;
      this.#announcer.announce(
        this.#l10n.t('login.welcome', { name: user.displayName || user.username || user.id }),
      );
      this.#focusAfterRender = '[part~="sign-out-button"]';
      const signedIn = new CommsSignedInEvent({ user });
      this.dispatchEvent(signedIn);
    } catch (error) {
      this.#show([this.#describe(toBasicError(error))]);
    } finally {
      this._busy = false;
    }
  }

  /** Signs out (as the sign-out button does): `client.auth.logout()`. */
  async signOut(): Promise<void> {
    const client = this.activeClient;
    if (!client || client.destroyed || this._busy) return;
    this._busy = true;
    try {
      await client.auth.logout();
    } finally {
      this._busy = false;
    }
    this._errors = [];
    this.#announcer.announce(this.#l10n.t('login.signedOut'));
    this.#focusAfterRender = '#username';
    const signedOut = new CommsSignedOutEvent();
    this.dispatchEvent(signedOut);
  }

  #renderField(options: {
    name: Field;
    label: string;
    type: string;
    autocomplete: string;
    help?: string;
    required?: boolean;
  }) {
    const { name, label, type, autocomplete, help, required } = options;
    const error = this._errors.find((e) => e.field === name);
    const describedBy = [error ? `${name}-error` : '', help ? `${name}-help` : '']
      .filter(Boolean)
      .join(' ');
    return html`<div part="field" class="field">
      <label part="label" for=${name}>${label}</label>
      <input
        id=${name}
        name=${name}
        part="input"
        type=${type}
        autocomplete=${autocomplete}
        autocapitalize=${type === 'password' || name === 'username' ? 'off' : nothing}
        spellcheck=${type === 'text' && name === 'displayName' ? nothing : 'false'}
        ?required=${!!required}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${describedBy || nothing}
      />
      ${help ? html`<p id=${`${name}-help`} part="help" class="hint">${help}</p>` : nothing}
      ${
        error
          ? html`<p id=${`${name}-error`} part="field-error" class="error">${error.text}</p>`
          : nothing
      }
    </div>`;
  }

  #renderForm() {
    const t = this.#l10n.t.bind(this.#l10n);
    const signup = this.mode === 'signup';
    const formError = this._errors.find((e) => e.field === 'form');
    const title = signup ? t('login.signUpTitle') : t('login.signInTitle');
    return html`<form
      part="form"
      class="form"
      aria-labelledby="title"
      aria-describedby=${formError ? 'form-error' : nothing}
      aria-busy=${this._busy ? 'true' : 'false'}
      novalidate
      @submit=${this.#onSubmit}
    >
      <h2 id="title" part="title">${title}</h2>
      ${this.#renderField({
        name: 'username',
        label: signup ? t('login.username') : t('login.identity'),
        type: 'text',
        autocomplete: 'username',
        required: true,
        ...(signup ? { help: t('login.usernameHelp') } : {}),
      })}
      ${this.#renderField({
        name: 'password',
        label: t('login.password'),
        type: 'password',
        autocomplete: signup ? 'new-password' : 'current-password',
        required: true,
        ...(signup ? { help: t('login.newPasswordHelp') } : {}),
      })}
      ${
        signup
          ? html`${this.#renderField({
              name: 'displayName',
              label: t('login.displayName'),
              type: 'text',
              autocomplete: 'name',
            })}
            ${this.#renderField({
              name: 'email',
              label: t('login.email'),
              type: 'email',
              autocomplete: 'email',
            })}`
          : nothing
      }
      ${
        formError
          ? html`<p id="form-error" part="form-error" class="error">${formError.text}</p>`
          : nothing
      }
      <button
        type="submit"
        part="submit-button"
        class="accent"
        aria-disabled=${this._busy ? 'true' : 'false'}
      >
        ${
          this._busy
            ? signup
              ? t('login.busySignUp')
              : t('login.busySignIn')
            : signup
              ? t('login.submitSignUp')
              : t('login.submitSignIn')
        }
      </button>
      <button type="button" part="mode-button" class="link" @click=${this.#switchMode}>
        ${signup ? t('login.toSignIn') : t('login.toSignUp')}
      </button>
    </form>`;
  }

  #renderSignedIn(user: UserInfo) {
    const t = this.#l10n.t.bind(this.#l10n);
    return html`<div part="signed-in" class="signed-in">
      <p>${t('login.signedInAs', { name: user.displayName || user.username || user.id })}</p>
      <button
        type="button"
        part="sign-out-button"
        aria-disabled=${this._busy ? 'true' : 'false'}
        @click=${() => void this.signOut()}
      >
        ${t('login.signOut')}
      </button>
    </div>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const user = this.#user.value;
    return html`<section part="base" class="base panel" aria-label=${t('login.label')}>
      ${this.#announcer.render()}
      ${user && !this._busy ? this.#renderSignedIn(user) : this.#renderForm()}
    </section>`;
  }
}
