/**
 * Reads one WebSocket frame: JSON, then the request schema its `type` names
 * (`RequestFrames` in `core/protocol/schema.ts`, compiled once with TypeBox's compiler).
 */
import { TypeCompiler, ValueErrorType, type TypeCheck } from '@sinclair/typebox/compiler';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { MAX_TEXT_LENGTH, WireErrorCodes } from '../../core/protocol/constants.js';
import { RequestFrames, type RequestFrame, type RequestType } from '../../core/protocol/schema.js';
import { WireError } from '../errors.js';

// TypeBox checks only the string formats it is told about: the frames use `uuid`.
if (!FormatRegistry.Has('uuid'))
  FormatRegistry.Set('uuid', (value) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  );

const checks = new Map<string, TypeCheck<TSchema>>(
  Object.entries(RequestFrames).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
);

/** The outcome of {@link readFrame}. */
export type FrameResult =
  { ok: true; frame: RequestFrame } | { ok: false; re: string | null; error: WireError };

/** The frame's `id`, when it is one the reply can echo. */
export function frameId(value: unknown): string | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 ? id : null;
}

/** Parses JSON text (already checked for size by the socket). */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: WireError } {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return {
        ok: false,
        error: new WireError(WireErrorCodes.FRAME_MALFORMED, 'a frame must be a JSON object'),
      };
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      error: new WireError(
        WireErrorCodes.FRAME_MALFORMED,
        `the frame is not valid JSON: ${(error as Error).message}`,
      ),
    };
  }
}

/** Validates a parsed frame against the schema of its `type`. */
export function validateFrame(value: unknown): FrameResult {
  const re = frameId(value);
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string')
    return {
      ok: false,
      re,
      error: new WireError(WireErrorCodes.FRAME_INVALID, '/type: a request needs a string `type`'),
    };
  const check = checks.get(type);
  if (!check)
    return {
      ok: false,
      re,
      error: new WireError(
        WireErrorCodes.FRAME_UNKNOWN_TYPE,
        `unknown frame type '${type.slice(0, 64)}': expected one of ${[...checks.keys()].join(', ')}`,
      ),
    };
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    const path = first?.path || '/';
    // Text over the limit is the sender's mistake, not a malformed frame: say so with its code.
    if (
      type === 'message.send' &&
      first?.type === ValueErrorType.StringMaxLength &&
      /^\/parts\/\d+\/text$/.test(path)
    ) {
      return {
        ok: false,
        re,
        error: new WireError(
          WireErrorCodes.MESSAGE_TOO_LARGE,
          `${path}: a text part may have at most ${MAX_TEXT_LENGTH} characters; this one has ${(first.value as string).length}`,
        ),
      };
    }
    const allowed = literalValues(first?.schema);
    const message = allowed
      ? `must be one of ${allowed.join(', ')}`
      : (first?.message ?? 'is not valid');
    return {
      ok: false,
      re,
      error: new WireError(WireErrorCodes.FRAME_INVALID, `${path}: ${message}`),
    };
  }
  return { ok: true, frame: value as RequestFrame<RequestType> };
}

/** The allowed values of a union of literals (e.g. the service names), for the message. */
function literalValues(schema: TSchema | undefined): string[] | undefined {
  const anyOf = (schema as { anyOf?: Array<{ const?: unknown }> } | undefined)?.anyOf;
  if (!anyOf?.length || !anyOf.every((s) => s.const !== undefined)) return undefined;
  return anyOf.map((s) => JSON.stringify(s.const));
}
