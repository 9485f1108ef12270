/**
 * The gateway's logger on its own: secret-named fields redacted at any depth (variables, headers,
 * errors), URI passwords scrubbed from any text of a line (messages and stacks included), errors
 * reduced to type/message/stack/code, LOG_LEVEL honoured and refused with a clear error when it is
 * not a level; and yoga's logging bridge, which never lets an error's text or a request's
 * variables through and sends every error object to debug.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GraphQLError, parse, Source } from 'graphql';
import { ConfigError } from '../../src/server/config.ts';
import { createGatewayLogger, parseLogLevel, REDACTED, scrubSecrets, yogaLogging } from '../../src/server/logger.ts';

const SECRET = 'S3cr3t-Pa55-7c1e';

function capture(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = createGatewayLogger({ level, destination });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('createGatewayLogger redaction', () => {
  it.each([
    ['targetUri at the top', { targetUri: `postgres://u:${SECRET}@h/db` }],
    ['targetUri in variables.input', { variables: { input: { backupId: 'b', targetUri: SECRET } } }],
    ['a password four levels down', { a: { b: { c: { d: { password: SECRET } } } } }],
    ['a token in an array of objects', { calls: [{ token: SECRET }] }],
    ['secret / apiKey / clientSecret', { p: { secret: SECRET, apiKey: SECRET, clientSecret: SECRET } }],
    ['request headers', { req: { headers: { authorization: `Bearer ${SECRET}`, cookie: SECRET, 'x-api-key': SECRET } } }],
    ['response set-cookie', { res: { headers: { 'set-cookie': SECRET } } }],
    ['capitalised header names', { headers: { Authorization: SECRET, 'X-Api-Key': SECRET } }],
  ])('%s is redacted', (_name, fields) => {
    const { logger, lines } = capture();
    logger.info(fields, 'm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toContain(REDACTED);
  });

  it('keeps the fields around a redacted one', () => {
    const { logger, parsed } = capture();
    logger.info({ variables: { input: { backupId: 'b-1', targetUri: SECRET } }, requestId: 'r-1' }, 'm');
    expect(parsed()[0]).toMatchObject({ requestId: 'r-1', variables: { input: { backupId: 'b-1', targetUri: REDACTED } }, msg: 'm' });
  });

  it('scrubs a URI password out of messages, error messages and stacks, under any field name', () => {
    const { logger, lines } = capture();
    const uri = `postgresql://restorer:${SECRET}@db.internal:5432/app`;
    logger.info(`restoring to ${uri}`);
    logger.info({ target: uri, dsn: `host=db password=${SECRET} user=x` }, 'm');
    logger.error({ err: new Error(`cannot reach ${uri}`) }, 'failed');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(SECRET);
    expect(lines[0]).toContain(`postgresql://restorer:${REDACTED}@db.internal:5432/app`);
  });

  it('writes an error as type, message, stack and code only: no enumerable extras (a GraphQL error keeps no source or nodes)', () => {
    const { logger, parsed } = capture();
    const e = Object.assign(new Error('boom'), { code: 'E_BOOM', request: { body: SECRET }, sentWith: SECRET });
    logger.error({ err: e }, 'failed');
    const g = new GraphQLError('bad', { source: new Source(`{ x(a: "${SECRET}") }`), positions: [3], extensions: { code: 'BAD_USER_INPUT' } });
    logger.error({ err: g }, 'failed');
    const [a, b] = parsed();
    expect(Object.keys(a.err).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(a.err).toMatchObject({ type: 'Error', message: 'boom', code: 'E_BOOM' });
    expect(b.err).toMatchObject({ type: 'GraphQLError', message: 'bad', code: 'BAD_USER_INPUT' });
    expect(JSON.stringify([a, b])).not.toContain(SECRET);
  });
});

describe('scrubSecrets', () => {
  it.each([
    [`mongodb+srv://admin:${SECRET}@cluster0.example.net/app`, `mongodb+srv://admin:${REDACTED}@cluster0.example.net/app`],
    [`https://x.example/cb?token=${SECRET}&a=1`, `https://x.example/cb?token=${REDACTED}&a=1`],
    [`"postgres://u:${SECRET}@h/db"`, `"postgres://u:${REDACTED}@h/db"`],
    ['https://example.com/path?a=1', 'https://example.com/path?a=1'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
  ])('%s', (input, output) => {
    expect(scrubSecrets(input)).toBe(output);
  });
});

describe('LOG_LEVEL', () => {
  it.each([
    [undefined, 'info'],
    ['', 'info'],
    ['debug', 'debug'],
    [' WARN ', 'warn'],
    ['silent', 'silent'],
  ])('%j is %s', (value, level) => {
    expect(parseLogLevel(value)).toBe(level);
  });

  it.each(['verbose', 'information', '30'])('%j is refused with a ConfigError naming the levels', (value) => {
    expect(() => createGatewayLogger({ level: value })).toThrow(ConfigError);
    expect(() => parseLogLevel(value)).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  });

  it('writes what is at the level and above, nothing below', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((l) => l.msg)).toEqual(['w', 'e']);
  });
});

describe('yogaLogging', () => {
  it('sends an error object to debug as its type, code and path: never its message or the query text around it', () => {
    const { logger, parsed } = capture();
    const source = `mutation { restoreBackup(input: { backupId: "b", targetUri: "postgres://u:${SECRET}@h/db" }) { progressId } }`;
    const original = Object.assign(new Error(`upstream refused ${SECRET}`), { name: 'ProviderHttpError' });
    const located = new GraphQLError(`wrapped ${SECRET}`, { nodes: parse(source).definitions, path: ['restoreBackup'], originalError: original });
    expect(String(located)).toContain(SECRET); // what the old bridge wrote at error
    yogaLogging(logger).error(located);
    const lines = parsed();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, error: { type: 'GraphQLError', cause: 'ProviderHttpError' }, path: 'restoreBackup' });
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('keeps the code of a coded error; drops the variables and query of request params, keeping a valid operation name', () => {
    const { logger, parsed } = capture();
    const bridge = yogaLogging(logger);
    bridge.error(new GraphQLError('x', { extensions: { code: 'NOT_FOUND' } }));
    bridge.debug('Processing params', { query: `{ a(s: "${SECRET}") }`, variables: { targetUri: SECRET }, operationName: 'Restore' });
    bridge.info({ operationName: `not a name ${SECRET}` });
    const lines = parsed();
    expect(lines.map((l) => l.level)).toEqual([20, 20, 20]);
    expect(lines[0].error.code).toBe('NOT_FOUND');
    expect(lines[1]).toMatchObject({ operationName: 'Restore', msg: 'yoga: Processing params' });
    expect(lines[1]).not.toHaveProperty('variables');
    expect(lines[2]).not.toHaveProperty('operationName');
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('reads nothing of what yoga passes when neither its level nor debug is written', () => {
    const { logger, lines } = capture('error');
    const bridge = yogaLogging(logger);
    const untouchable = new Proxy({}, { get: () => { throw new Error('read'); }, has: () => { throw new Error('read'); } });
    expect(() => bridge.debug('Processing GraphQL Parameters', untouchable)).not.toThrow();
    expect(() => bridge.info(untouchable)).not.toThrow();
    expect(() => bridge.warn(untouchable)).not.toThrow();
    bridge.error('still written');
    expect(lines).toHaveLength(1);
  });

  it('keeps yoga\'s plain strings at their level', () => {
    const { logger, parsed } = capture();
    const bridge = yogaLogging(logger);
    bridge.warn('something to look at');
    bridge.debug('Request aborted');
    expect(parsed().map((l) => [l.level, l.msg])).toEqual([[40, 'yoga: something to look at'], [20, 'yoga: Request aborted']]);
  });
});
