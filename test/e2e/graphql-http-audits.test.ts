/**
 * graphql-http's server audits (the GraphQL-over-HTTP spec's MUST/SHOULD/MAY checks) against the
 * running gateway, one test per audit: every one must pass, warnings and notices included.
 */
import { serverAudits } from 'graphql-http';
import { beforeAll, describe, expect, it } from 'vitest';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

let t: TGateway;
beforeAll(async () => {
  t = await tgateway();
});

// The url is read per audit, once the gateway listens.
const audits = serverAudits({ url: () => `${t.url}/graphql`, fetchFn: fetch });

describe('graphql-http server audits', () => {
  it('has the 61 audits of graphql-http 1.23', () => {
    expect(audits).toHaveLength(61);
  });

  it.each(audits.map((a) => [`${a.id} ${a.name}`, a] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect({ status: result.status, reason: 'reason' in result ? result.reason : undefined }).toEqual({ status: 'ok', reason: undefined });
  });
});
