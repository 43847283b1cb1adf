/**
 * Writes `docs/protocol.md` from the wire protocol's one source, `core/protocol/`
 * (constants, TypeBox schemas, REST endpoint table). `npm run docs:protocol` writes it;
 * `--check` exits 1 when the file is out of date (a Node test does the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import * as prettier from 'prettier';
import {
  CloseCodes,
  FINAL_CLOSE_CODES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  Routes,
  SERVICES,
  SUBSCRIPTION_EXPIRES,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
  WS_TOKEN_QUERY,
  WireErrorCodes,
} from '../core/protocol/constants.js';
import { Endpoints } from '../core/protocol/endpoints.js';
import {
  CallRecord,
  ErrorBody,
  ErrorReply,
  EventPayloads,
  OkReply,
  ReplyPayloads,
  RequestFrames,
  Subscription,
  TicketPayload,
  UserInfo,
} from '../core/protocol/schema.js';

/** The file this script writes. */
export const target = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));
const constantsFile = fileURLToPath(new URL('../core/protocol/constants.ts', import.meta.url));

interface Schema {
  $id?: string;
  type?: string;
  const?: unknown;
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  format?: string;
  additionalProperties?: boolean;
  default?: unknown;
}

/** Named schemas are linked by name instead of spelled out. */
const named = new Set(['UserInfo', 'Subscription', 'ErrorBody', 'CallRecord']);

const escape = (text: string) => text.replace(/\|/g, '\\|');

/** A short type expression for a schema. */
function typeOf(schema: Schema): string {
  if (schema.$id && named.has(schema.$id)) return `[${schema.$id}](#${schema.$id.toLowerCase()})`;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') {
    const item = schema.items ? typeOf(schema.items) : 'unknown';
    return schema.items?.anyOf ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object') return 'object';
  return schema.type ?? 'unknown';
}

/** Constraints and description of a schema, as one cell. */
function notes(schema: Schema): string {
  const parts: string[] = [];
  if (schema.minLength !== undefined && schema.maxLength !== undefined)
    parts.push(`length ${schema.minLength}–${schema.maxLength}`);
  else if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  else if (schema.minLength !== undefined) parts.push(`at least ${schema.minLength} characters`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '−∞'}–${schema.maximum ?? '∞'}`);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems}`);
  if (schema.uniqueItems) parts.push('unique');
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.format) parts.push(`format \`${schema.format}\``);
  if (schema.pattern) parts.push(`pattern \`${schema.pattern}\``);
  if (schema.description) parts.push(schema.description);
  return escape(parts.join('; '));
}

/** A table of an object schema's fields. */
function fields(schema: TSchema, skip: string[] = []): string {
  const s = schema as Schema;
  const rows = Object.entries(s.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(
      ([name, prop]) =>
        `| \`${name}\` | ${typeOf(prop)} | ${s.required?.includes(name) ? 'yes' : 'no'} | ${notes(prop)} |`,
    );
  if (!rows.length) return '(no fields)\n';
  const closed = s.additionalProperties === false ? '\nNo other fields are accepted.\n' : '';
  return `| field | type | required | notes |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n${closed}`;
}

/** `/** doc *\/ NAME: value` pairs of one `as const` object in constants.ts. */
function documented(objectName: string): Map<string, string> {
  const source = readFileSync(constantsFile, 'utf8');
  const start = source.indexOf(`export const ${objectName} = {`);
  const body = source.slice(start, source.indexOf('} as const', start));
  const docs = new Map<string, string>();
  for (const [, doc, name] of body.matchAll(/\/\*\*\s*([\s\S]*?)\s*\*\/\s*\n\s*(\w+):/g))
    docs.set(name!, doc!.replace(/\s*\n\s*\*\s*/g, ' '));
  return docs;
}

/** The whole document, formatted with the project's Prettier settings. */
export async function renderProtocolDoc(): Promise<string> {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);

  push(
    '# Wire protocol',
    '',
    '<!-- Written by scripts/protocol-doc.ts from core/protocol/. Do not edit: run `npm run docs:protocol`. -->',
    '',
    'How the core and the gateway talk: REST for request/response, one WebSocket for everything live. ',
    'The source of truth is `core/protocol/` (`constants.ts`, `schema.ts`, `endpoints.ts`): the gateway ',
    'validates every body and frame against those schemas, and this page is written from them.',
    '',
    '## Errors',
    '',
    'Every REST error is an HTTP 4xx/5xx with the body `{error: ErrorBody}`; every WebSocket error reply ',
    'carries the same `ErrorBody`. Codes are stable: a code never changes meaning.',
    '',
    '### ErrorBody',
    '',
    fields(ErrorBody),
    '| constant | code |',
    '| --- | --- |',
    ...Object.entries(WireErrorCodes).map(([name, code]) => `| \`${name}\` | \`${code}\` |`),
    '',
    '## REST',
    '',
    'JSON bodies (`content-type: application/json`). A body that does not match its schema gets 400 ',
    '`request:invalid` naming the field; an unknown path 404 `request:notFound`; too many requests to ',
    'an auth route from one address 429 `rate:limited` (with `Retry-After`). Browsers on an allowed ',
    'origin may call these cross-origin (CORS).',
    '',
  );
  for (const endpoint of Object.values(Endpoints)) {
    push(`### \`${endpoint.method} ${endpoint.path}\``, '', endpoint.summary, '');
    if (endpoint.auth === 'bearer') push('Needs `Authorization: Bearer <accessToken>`.', '');
    if (endpoint.rateLimited) push('Rate limited per client address.', '');
    if ('query' in endpoint && endpoint.query)
      push('Query parameters:', '', fields(endpoint.query));
    if (endpoint.body) {
      const body = endpoint.body as Schema;
      if (body.anyOf) {
        body.anyOf.forEach((branch, i) => {
          push(`Request body, form ${i + 1}:`, '', fields(branch as TSchema));
        });
      } else push('Request body:', '', fields(endpoint.body));
    }
    if ('rawBody' in endpoint) push(`Request body: ${endpoint.rawBody}`, '');
    if ('rawResponse' in endpoint)
      push(`Answer \`${endpoint.status}\`: ${endpoint.rawResponse}`, '');
    else if (endpoint.response)
      push(`Answer \`${endpoint.status}\`:`, '', fields(endpoint.response));
    else push(`Answer \`${endpoint.status}\`, no body.`, '');
    if (endpoint.errors.length)
      push(`Errors: ${endpoint.errors.map((c) => `\`${c}\``).join(', ')}.`, '');
  }

  push(
    '### App-signed ticket',
    '',
    'A ticket is `base64url(JSON(TicketPayload)) + "." + base64url(HMAC-SHA256(appSecret, first part))`, ',
    'made by the application’s backend (`signUserTicket` in `comms-kit/server`).',
    '',
    '#### TicketPayload',
    '',
    fields(TicketPayload),
    '## WebSocket',
    '',
    `\`GET ${Routes.WEBSOCKET}\`, upgraded. The client offers the subprotocols \`${WS_SUBPROTOCOL}\` and `,
    `\`${WS_BEARER_PREFIX}<accessToken>\`; the server selects \`${WS_SUBPROTOCOL}\`. In query mode the token `,
    `goes in \`?${WS_TOKEN_QUERY}=\` instead. A refused handshake is an HTTP answer with an error body: `,
    '401 `auth:required`, `auth:tokenInvalid` or `auth:tokenExpired`; 403 `origin:forbidden`; 400 ',
    '`request:invalid` when subprotocols are offered without `comms-kit.v1`.',
    '',
    `Frames are JSON text, at most ${MAX_FRAME_BYTES} bytes, and carry \`v: ${PROTOCOL_VERSION}\`. A request `,
    '`{v, id, type, …}` gets exactly one reply, `{v, re: id, ok: true, …payload}` or ',
    '`{v, re, ok: false, error}`; `re` is null when the frame had no readable `id`. The server pushes ',
    "events as `{v, type: 'event', event, …payload}`.",
    '',
    'Errors in replies: `frame:malformed` (not a JSON object), `frame:unknownType`, `frame:invalid` ',
    '(the message starts with the JSON pointer of the wrong field), `rate:limited` (beyond the ',
    'per-socket rate), and the request’s own codes.',
    '',
    `Services: ${SERVICES.map((s) => `\`${s}\``).join(', ')}. Subscription lifetime: ${SUBSCRIPTION_EXPIRES.MIN} to ${SUBSCRIPTION_EXPIRES.MAX} seconds, default ${SUBSCRIPTION_EXPIRES.DEFAULT}.`,
    '',
    '### Behaviour',
    '',
    '- One subscription per socket, keyed by user and `clientCorrelator`. `subscribe` with the ',
    '  correlator the socket holds adds the services and restarts the lifetime; with another ',
    '  correlator it replaces the socket’s subscription. The same correlator subscribed from another ',
    '  socket of the user replaces the earlier one, whose socket gets `subscription:change` with ',
    '  `reason: "replaced"`; different correlators coexist.',
    '- A subscription lapses `expires` seconds after `subscribe` or the last `subscription.extend` ',
    '  (which keeps the lifetime it has unless given a new one); its socket gets ',
    '  `subscription:change` with `reason: "expired"`. It also ends with its socket. In both events ',
    '  `subscription` is what remains: null.',
    '- `unsubscribe` and `subscription.extend` on a socket without a subscription answer ',
    '  `subscription:notFound`.',
    '- `token.update` takes a valid access token of the same user; the socket then closes with ',
    '  4001 only when the later of the two expires. `expiresAt` in its reply is in ms since the epoch.',
    '- The server pings; a socket with no frame and no pong for too long is closed with 4008. ',
    '  Beyond the frame rate, frames get `rate:limited`; persistent flooding closes the socket with 1008.',
    '',
    '### Calls',
    '',
    '- `call.invite` rings every socket of the callee subscribed to `call` (not the caller’s own) ',
    '  with `call:incoming`; its reply comes first. Busy (486, the callee is in an answered call), ',
    '  not available (480, no such socket) and no answer (408, after the gateway’s timeout, both ',
    '  sides) arrive as `call:ended`. An unknown callee answers `call:unknownDestination`; a call ',
    '  id in use or used before, `call:exists`.',
    '- The first `call.answer` wins: the caller gets `call:answered`, the other ringing devices ',
    '  `call:ended` 200 “Answered on another device”; later answers get `call:alreadyAnswered`.',
    '- `call.reject`, or `call.end` from a ringing device: 603 to the caller and the other devices. ',
    '  `call.end` from the caller before the answer: 487 to the ringing devices; after the answer, ',
    '  from either party: 200 “Ended by the other party” to the other one.',
    '- `call.offer`, `call.answerOffer` (after the answer only) and `call.candidate` reach the ',
    '  other party: the caller’s candidates go to every ringing device before the answer, to the ',
    '  answering one after it.',
    '- `call.forward` from a ringing device of the callee sends the call on to another user: the ',
    '  destination is checked as an invite’s callee (`call:unknownDestination`; the callee or the ',
    '  caller: `call:invalidDestination`; busy: `call:destinationBusy`; no device: ',
    '  `call:destinationUnavailable`; refused, the call rings on). The callee’s other devices get ',
    '  `call:ended` 302 “Forwarded”, the caller `call:forwarded`, the destination’s devices ',
    '  `call:incoming` (with `forwarded`) and then, as `call:candidate`, the candidates the caller ',
    '  sent while it rang (the gateway keeps up to 32 until the answer). Same call id; the ',
    '  no-answer timeout starts again; at most 5 forwards. Only a ringing callee device may ',
    '  forward: others get `call:unknown`, the caller `request:invalid`, an answered call ',
    '  `call:invalidState`.',
    '- Only the call’s own sockets may signal in it; any other socket, even the same user’s, gets ',
    '  `call:unknown`, as for a call that does not exist. A party doing what its part does not ',
    '  allow gets `request:invalid`.',
    '- A party whose socket closes has a grace to come back: a socket of the same user that ',
    '  subscribes to `call` with the same `clientCorrelator` takes its place and receives the ',
    '  events it missed. After the grace its calls end (408 to the other party). Closes with 1000 ',
    '  or 4003 end them at once.',
    '',
    '### Replies',
    '',
    '#### OkReply',
    '',
    fields(OkReply),
    '#### ErrorReply',
    '',
    fields(ErrorReply),
    '### Requests',
    '',
  );
  for (const [type, schema] of Object.entries(RequestFrames)) {
    push(`#### \`${type}\``, '', (schema as Schema).description ?? '', '');
    push(fields(schema, ['v', 'id', 'type']));
    push('Reply payload:', '', fields(ReplyPayloads[type as keyof typeof ReplyPayloads]));
  }
  push('### Events', '');
  for (const [event, schema] of Object.entries(EventPayloads)) {
    push(`#### \`${event}\``, '', fields(schema));
  }

  const closeDocs = documented('CloseCodes');
  push(
    '### Close codes',
    '',
    '| code | name | meaning | client reconnects |',
    '| --- | --- | --- | --- |',
    ...Object.entries(CloseCodes).map(
      ([name, code]) =>
        `| ${code} | \`${name}\` | ${escape(closeDocs.get(name) ?? '')} | ${FINAL_CLOSE_CODES.includes(code) ? 'no' : 'yes'} |`,
    ),
    '',
    '## Types',
    '',
    '### UserInfo',
    '',
    fields(UserInfo),
    '### Subscription',
    '',
    fields(Subscription),
    '### CallRecord',
    '',
    'One party’s record of one call (a CDR). `result` is how the call ended for this party; ',
    '`statusCode` and `reasonText` are what their client saw.',
    '',
    fields(CallRecord),
  );

  const text = out.join('\n');
  const config = await prettier.resolveConfig(target);
  return prettier.format(text, { ...config, filepath: target });
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const text = await renderProtocolDoc();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: out of date
    }
    if (current !== text) {
      console.error('docs/protocol.md is out of date: run `npm run docs:protocol`');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
