/**
 * Mesh Compose config of the Hive Gateway peer: Norcube's OpenAPI spec as the one source, its
 * endpoint the bench's upstream fake (NORCUBE_URL), a fixed bearer token (the fake accepts any).
 * bench/peers/hive.ts runs `mesh-compose -o <supergraph>` with it on every listing run.
 * Plain JavaScript, so the product's typecheck never reads the peer's packages.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Norcube', {
        source: '../../../specs/norcube-snapdb.openapi.json',
        endpoint: process.env.NORCUBE_URL ?? 'http://127.0.0.1:4102',
        operationHeaders: { Authorization: 'Bearer bench-token' },
      }),
    },
  ],
});
