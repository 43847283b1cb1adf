/**
 * Password hashing and the strength rule.
 *
 * Hashing: Argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1) through
 * `@node-rs/argon2` (off the event loop), stored as a PHC string. Verification is constant
 * time in the library; for an identity that does not exist, {@link verifyPassword} is given
 * no hash and verifies against a dummy one, so the answer takes as long as for a wrong
 * password.
 *
 * Strength: at least {@link MIN_PASSWORD_LENGTH} characters, and zxcvbn-ts (its common
 * password, English word and name lists, keyboard patterns, plus the user's own identities)
 * must estimate it at score 3 or better (about 10^8 guesses): long phrases pass, `password123`
 * and `qwertyuiop` do not.
 */
import { hash, verify } from '@node-rs/argon2';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/** OWASP Password Storage Cheat Sheet, Argon2id: m=19456 KiB, t=2, p=1. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum in the library's types)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** The fewest characters a password may have. */
export const MIN_PASSWORD_LENGTH = 10;
/** The lowest zxcvbn score (0–4) a password may have. */
export const MIN_PASSWORD_SCORE = 3;

/** Hashes a password to a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * True when `password` matches `phc`. With no `phc` (unknown user, or a user without a
 * password), verifies against a dummy hash and returns false, taking the same time.
 */
export async function verifyPassword(
  phc: string | null | undefined,
  password: string,
): Promise<boolean> {
  dummyHash ??= hashPassword(`dummy:${Math.random()}`);
  const target = phc ?? (await dummyHash);
  try {
    const ok = await verify(target, password);
    return ok && !!phc;
  } catch {
    return false;
  }
}

let zxcvbn: Promise<ZxcvbnFactory> | undefined;

/** zxcvbn with its dictionaries, loaded on first use (about 150 ms, 10 MB). */
function estimator(): Promise<ZxcvbnFactory> {
  zxcvbn ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    });
  })();
  return zxcvbn;
}

/** Loads the strength estimator ahead of the first signup. */
export function preloadPasswordRules(): Promise<void> {
  return estimator().then(() => undefined);
}

/**
 * Why `password` is too weak, as a sentence for the user, or undefined when it is strong
 * enough. `userInputs` are the user's own identities and name (a password built from them is
 * weak).
 */
export async function passwordWeakness(
  password: string,
  userInputs: string[] = [],
): Promise<string | undefined> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return `password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (it has ${length}); a few unrelated words make a strong one`;
  }
  const result = (await estimator()).check(password, userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = result.feedback.warning ?? 'it is easy to guess';
  const hint = result.feedback.suggestions[0] ?? 'Add more words that are less common.';
  return `password is too easy to guess: ${lowerFirst(stripDot(why))}. ${hint}`;
}

const stripDot = (s: string) => s.replace(/\.$/, '');
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
