/**
 * Every REST error is `{error: {code, message}}` with a stable code: the gateway's own
 * {@link WireError}s as they are, Fastify's validation errors as `request:invalid` naming the
 * field, unknown routes as `request:notFound`, rate limiting as `rate:limited`, any other client
 * error as `request:invalid`, the database not answering in time as `server:databaseTimeout`
 * (503), and anything else as `server:internal` (logged, never echoed).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import type { ErrorBody } from '../../core/protocol/schema.js';
import { WireError, internalError, wireErrorOf } from '../errors.js';

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** One ajv error as a sentence naming the field, e.g. `body/password must NOT have …`. */
function describeAjvError(error: AjvError, context: string): string {
  const where = `${context}${error.instancePath}`;
  const { params } = error;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} has an unexpected property '${String(params.additionalProperty)}'`;
    case 'required':
      return `${where} is missing the property '${String(params.missingProperty)}'`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${where} ${error.message ?? 'is not valid'}`;
  }
}

/**
 * The message for a failed validation. For a union (`anyOf`, e.g. the two login forms) it
 * reports the branch that came closest: the one whose first error lies deepest in the body.
 */
export function describeValidation(errors: AjvError[], context: string): string {
  const last = errors.at(-1);
  if (last?.keyword === 'anyOf') {
    const branches = new Map<string, AjvError[]>();
    for (const e of errors.slice(0, -1)) {
      const branch = /#\/anyOf\/(\d+)/.exec(e.schemaPath)?.[1] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const best = [...branches.values()].sort(
      (a, b) => depth(b[0]!.instancePath) - depth(a[0]!.instancePath),
    )[0];
    if (best?.[0]) return describeAjvError(best[0], context);
  }
  return errors[0] ? describeAjvError(errors[0], context) : `${context} is not valid`;
}

const depth = (pointer: string) => (pointer ? pointer.split('/').length : 0);

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | WireError, request, reply) => {
    if (error instanceof WireError) {
      return send(reply, error.statusCode, error.toBody(), error.headers);
    }
    const wire = wireErrorOf(error);
    if (wire) {
      request.log.warn({ err: error }, wire.message);
      return send(reply, wire.statusCode, wire.toBody(), wire.headers);
    }
    if (error.validation) {
      const message = describeValidation(
        error.validation as unknown as AjvError[],
        error.validationContext ?? 'body',
      );
      return send(reply, 400, { code: WireErrorCodes.REQUEST_INVALID, message });
    }
    const status = error.statusCode ?? 500;
    if (status === 404) return notFound(request, reply);
    if (status === 429) {
      return send(reply, 429, {
        code: WireErrorCodes.RATE_LIMITED,
        message: 'too many requests from this address: wait, then try again',
      });
    }
    if (status >= 400 && status < 500) {
      return send(reply, status, { code: WireErrorCodes.REQUEST_INVALID, message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, 500, internalError);
  });

  app.setNotFoundHandler(notFound);
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, 404, {
    code: WireErrorCodes.NOT_FOUND,
    message: `no such resource: ${request.method} ${request.url.split('?')[0]}`,
  });
}

function send(
  reply: FastifyReply,
  status: number,
  error: ErrorBody,
  headers: Record<string, string> = {},
) {
  return reply.code(status).headers(headers).send({ error });
}
