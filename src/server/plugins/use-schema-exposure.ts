/**
 * How much of the schema the gateway tells a caller who did not read the docs: with
 * `introspection: false` an operation that introspects (`__schema`, `__type`) fails validation
 * (graphql's `NoSchemaIntrospectionCustomRule`, by field name: the test runner may load two copies of
 * graphql, and that rule's type checks fail across them; BAD_USER_INPUT); with `fieldSuggestions: false`
 * validation messages lose their "Did you mean ...?" part. `__typename` stays allowed.
 */
import type { ASTVisitor, FieldNode, GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Options of {@link useSchemaExposure}. */
export interface SchemaExposureOptions {
  /** Answer introspection queries. @default true */
  introspection?: boolean;
  /** Suggest field, argument and type names in validation errors. @default true */
  fieldSuggestions?: boolean;
}

const SUGGESTION = / ?Did you mean .*\?$/;

/** The entry points of introspection: every other introspection field is reached through them. */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** Reports every `__schema` / `__type` field. */
function noIntrospection(context: ValidationContext): ASTVisitor {
  return {
    Field(node: FieldNode) {
      if (INTROSPECTION_ROOTS.has(node.name.value)) {
        context.reportError(createGraphQLError(`GraphQL introspection is not allowed on this gateway, but the query contained ${node.name.value}.`, { nodes: [node] }) as GraphQLError);
      }
    },
  };
}

/** Turns introspection and suggestions off as asked (a no-op plugin when both stay on). */
export function useSchemaExposure(options: SchemaExposureOptions = {}): Plugin {
  const { introspection = true, fieldSuggestions = true } = options;
  // One after-validation hook for every request (it captures nothing of one).
  const withoutSuggestions: AfterValidateHook = ({ valid, result, setResult }) => {
    if (valid) return;
    setResult(
      result.map((err) => {
        const e = err as GraphQLError;
        return SUGGESTION.test(e.message)
          ? createGraphQLError(e.message.replace(SUGGESTION, ''), { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: e.extensions })
          : e;
      }),
    );
  };
  return {
    onValidate({ addValidationRule }) {
      if (!introspection) addValidationRule(noIntrospection);
      return fieldSuggestions ? undefined : withoutSuggestions;
    },
  };
}

/** What an `onValidate` hook may return: the hook run once validation is done. */
type AfterValidateHook = Extract<ReturnType<NonNullable<Plugin['onValidate']>>, (...args: never[]) => unknown>;
