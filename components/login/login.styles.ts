import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: var(--comms-login-width, 22rem);
  }
  p {
    margin: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.125em;
  }
  .form,
  .field {
    display: grid;
  }
  .form {
    gap: var(--_s3);
  }
  .field {
    gap: var(--_s1);
  }
  label {
    font-weight: 600;
  }
  .error,
  .hint {
    overflow-wrap: anywhere;
  }
  button.link {
    min-height: auto;
    justify-self: start;
    padding: var(--_s1) 0;
    border: none;
    background: none;
    color: var(--_accent);
    text-decoration: underline;
  }
  .signed-in {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_s2);
  }
  .signed-in p {
    overflow-wrap: anywhere;
  }
`;
