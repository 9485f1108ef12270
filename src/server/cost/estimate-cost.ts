/**
 * The static cost of one GraphQL operation, before anything runs: how many upstream calls it may
 * make, computed over the schema, the document and the request's variables (argument defaults and
 * variable defaults applied, a single value given for a list argument counted as a list of one,
 * `@skip`/`@include` honoured). Modelled on GitHub's GraphQL rate-limit calculation: a list field
 * multiplies the cost of everything selected under it by its size (for a connection, its `first`),
 * so nested lists cost the product of their page sizes, whether `first` is a literal, a variable or
 * absent. What a field costs is the {@link CostModel}'s to say; this file knows no gateway type.
 *
 * Pure and copy-agnostic: schema types are told apart by their `Symbol.toStringTag` and the
 * schema's own methods, never by `graphql`'s `instanceof` predicates (a test runner may load
 * `graphql` twice, and the schema may come from the other copy).
 */
import { Kind, getOperationAST, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

/** A named type as the estimator sees it: its name, its fields (composite types) and interfaces. */
export interface NamedTypeInfo {
  readonly name: string;
  /** The schema type itself (object, interface, union, scalar, enum). */
  readonly type: unknown;
  /** Fields by name, for object and interface types; empty otherwise. */
  readonly fields: Readonly<Record<string, GraphQLField<unknown, unknown>>>;
  /** Names of the interfaces it implements (object and interface types). */
  readonly interfaces: readonly string[];
}

/** What the model is asked about one field of the document. */
export interface FieldCostInput {
  /** The type the field is selected on (after fragments' type conditions). */
  readonly parentType: NamedTypeInfo;
  /** The field's definition in the schema. */
  readonly field: GraphQLField<unknown, unknown>;
  /** The field's named return type, with whether it is a list. */
  readonly returnType: NamedTypeInfo & { readonly list: boolean };
  /** The field's argument values: literals, variables (with their defaults) and argument defaults applied. */
  readonly args: Readonly<Record<string, unknown>>;
  /** True for a field of the operation's root type. */
  readonly isRoot: boolean;
  /** The operation type. */
  readonly operation: 'query' | 'mutation' | 'subscription';
  /** The cost the model gave the nearest enclosing field (undefined at the root). */
  readonly parent: FieldCost | undefined;
  /** The schema (for `getPossibleTypes`, `getType`...). */
  readonly schema: GraphQLSchema;
}

/** What one field costs, as the model says. */
export interface FieldCost {
  /** Upstream calls one instance of this field makes. @default 0 */
  calls: number;
  /**
   * How many instances of its selection one instance of the field yields: a list's length, 1 for
   * an object. @default the estimator's `unknownListSize` for lists, 1 otherwise
   */
  size: number;
  /** Anything the model wants to hand to the fields selected under this one (page size, providers asked...). */
  readonly [k: string]: unknown;
}

/** Says what a field costs; fields it returns nothing for cost no call and have the default size. */
export type CostModel = (input: FieldCostInput) => Partial<FieldCost> | undefined;

/** What {@link estimateCost} is given. */
export interface EstimateCostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  /** The operation to estimate; may be omitted when the document has one operation. */
  operationName?: string | null;
  /** The request's variables as sent (JSON values). */
  variables?: Readonly<Record<string, unknown>> | null;
  model: CostModel;
  /** The size of a list the model says nothing about. @default 1 */
  unknownListSize?: number;
}

/** The estimate of one operation. */
export interface CostEstimate {
  /** Upstream calls the operation may make (at most `Number.MAX_SAFE_INTEGER`); 0 when no operation matches. */
  requested: number;
  /**
   * The document's complexity, graphql-armor's formula with sizes applied: a leaf costs 1, an
   * object 2 plus 1.5 times what is selected under it, times the list's size (a connection's
   * `first`, variables and defaults applied). Bounds the work no upstream call measures (wide or
   * deep introspection, thousands of cheap fields); `__schema` costs nothing (GraphiQL's
   * introspection query always runs).
   */
  complexity: number;
}

const tagOf = (t: unknown): string | undefined => (t as { [Symbol.toStringTag]?: string } | null)?.[Symbol.toStringTag];

function describe(type: unknown): NamedTypeInfo {
  const t = type as { name: string; getFields?: () => Record<string, GraphQLField<unknown, unknown>>; getInterfaces?: () => readonly { name: string }[] };
  const tag = tagOf(type);
  const composite = tag === 'GraphQLObjectType' || tag === 'GraphQLInterfaceType';
  return {
    name: t.name,
    type,
    fields: composite && t.getFields ? t.getFields() : {},
    interfaces: composite && t.getInterfaces ? t.getInterfaces().map((i) => i.name) : [],
  };
}

/** A wrapped type's named type and whether a list wraps it. */
function unwrap(type: unknown): { named: unknown; list: boolean } {
  let t = type as { ofType?: unknown };
  let list = false;
  for (;;) {
    const tag = tagOf(t);
    if (tag === 'GraphQLList') list = true;
    else if (tag !== 'GraphQLNonNull') return { named: t, list };
    t = t.ofType as { ofType?: unknown };
  }
}

/** The value of `node` under `vars`: a variable's value (or its definition's default), a literal otherwise. */
function valueOf(node: ValueNode, vars: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return vars[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, vars));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value, vars)]));
  }
}

/**
 * `value` shaped by its input type as GraphQL's input coercion shapes it: a single value where a
 * list is expected becomes a list of one, input object fields get their defaults. Scalars are left
 * as given (a wrong-type value is the executor's to refuse; the model must not trust it).
 */
function coerce(value: unknown, type: unknown): unknown {
  const tag = tagOf(type);
  if (tag === 'GraphQLNonNull') return coerce(value, (type as { ofType: unknown }).ofType);
  if (value === undefined || value === null) return value;
  if (tag === 'GraphQLList') {
    const item = (type as { ofType: unknown }).ofType;
    return (Array.isArray(value) ? value : [value]).map((v) => coerce(v, item));
  }
  if (tag === 'GraphQLInputObjectType' && typeof value === 'object' && !Array.isArray(value)) {
    const fields = (type as { getFields(): Record<string, { type: unknown; defaultValue?: unknown }> }).getFields();
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(fields)) {
      const v = (value as Record<string, unknown>)[name];
      if (v !== undefined) out[name] = coerce(v, f.type);
      else if (f.defaultValue !== undefined) out[name] = f.defaultValue;
    }
    return out;
  }
  return value;
}

/** The field's arguments, coerced to their types: given ones (literals or variables), else the argument's default. */
function argumentsOf(field: GraphQLField<unknown, unknown>, node: FieldNode, vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.args) {
    const given = node.arguments?.find((a) => a.name.value === arg.name);
    let v = given ? valueOf(given.value, vars) : undefined;
    if (v === undefined) v = arg.defaultValue;
    if (v !== undefined) out[arg.name] = coerce(v, arg.type);
  }
  return out;
}

/** Whether `@skip`/`@include` leave the selection in. */
function included(node: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: ValueNode }[] }[] }, vars: Readonly<Record<string, unknown>>): boolean {
  for (const d of node.directives ?? []) {
    const name = d.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? valueOf(arg.value, vars) === true : false;
    if (name === 'skip' && value) return false;
    if (name === 'include' && !value) return false;
  }
  return true;
}


/** The variables with each definition's default where the request gave none. */
function variablesOf(op: OperationDefinitionNode, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (Object.prototype.hasOwnProperty.call(given, name)) out[name] = given[name];
    else if (def.defaultValue) out[name] = valueOf(def.defaultValue, {});
  }
  return out;
}

const cap = (n: number) => (Number.isFinite(n) ? Math.min(n, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER);

interface Measures {
  calls: number;
  complexity: number;
}

const SCALAR_COST = 1;
const OBJECT_COST = 2;
const DEPTH_FACTOR = 1.5;
/** Meta-fields and the introspection type they return; `__schema` is left out (it costs nothing). */
const META_FIELDS: Record<string, string> = { __type: '__Type' };

/**
 * Estimates the upstream calls of the operation: for every field instance the document can
 * produce, the calls the model gives it, times the product of the sizes of the lists above it;
 * and its complexity (see {@link CostEstimate}). Same response keys selected twice count twice,
 * fragments on several concrete types of one abstract type all count (both make the estimate
 * higher, never lower). Fragments are costed once per place and context, so a document that
 * spreads fragments exponentially costs linear time.
 */
export function estimateCost(input: EstimateCostInput): CostEstimate {
  const { schema, document, model, unknownListSize = 1 } = input;
  // An empty operation name counts as none (the only operation), as it always has here.
  const op = getOperationAST(document, input.operationName || undefined) ?? undefined;
  if (!op) return { requested: 0, complexity: 0 };
  const operation = op.operation as FieldCostInput['operation'];
  const root = operation === 'query' ? schema.getQueryType() : operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return { requested: 0, complexity: 0 };
  const vars = variablesOf(op, input.variables ?? {});
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Measures>();
  const parentKeys = new WeakMap<FieldCost, string>();
  const keyOf = (c: FieldCost | undefined) => {
    if (!c) return '';
    let k = parentKeys.get(c);
    if (k === undefined) parentKeys.set(c, (k = JSON.stringify(c)));
    return k;
  };

  /** Measures of one instance of `set` on `type`; `inFragments` guards against (invalid) fragment cycles. */
  function measure(set: SelectionSetNode, type: NamedTypeInfo, parent: FieldCost | undefined, isRoot: boolean, inFragments: ReadonlySet<string>): Measures {
    const total: Measures = { calls: 0, complexity: 0 };
    const add = (m: Measures, times = 1) => {
      total.calls = cap(total.calls + times * m.calls);
      total.complexity = cap(total.complexity + times * m.complexity);
    };
    for (const sel of set.selections) {
      if (!included(sel, vars)) continue;
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const field = type.fields[name];
        if (!field) {
          // Meta-fields: nothing upstream; `__type` is measured on the introspection types, `__schema` and `__typename` as a leaf.
          const meta = META_FIELDS[name] && schema.getType(META_FIELDS[name]);
          if (meta && sel.selectionSet) add({ calls: 0, complexity: OBJECT_COST + DEPTH_FACTOR * measure(sel.selectionSet, describe(meta), undefined, false, inFragments).complexity });
          else add({ calls: 0, complexity: name === '__schema' ? 0 : SCALAR_COST });
          continue;
        }
        const { named, list } = unwrap(field.type);
        const returnType = { ...describe(named), list };
        const given = model({ parentType: type, field, returnType, args: argumentsOf(field, sel, vars), isRoot, operation, parent, schema }) ?? {};
        const cost: FieldCost = { ...given, calls: Math.max(0, given.calls ?? 0), size: Math.max(0, given.size ?? (list ? unknownListSize : 1)) };
        if (!sel.selectionSet) {
          add({ calls: cost.calls, complexity: SCALAR_COST });
          continue;
        }
        const under = cost.size > 0 ? measure(sel.selectionSet, returnType, cost, false, inFragments) : { calls: 0, complexity: 0 };
        add({ calls: cost.calls, complexity: 0 });
        add({ calls: under.calls, complexity: OBJECT_COST + DEPTH_FACTOR * under.complexity }, cost.size);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : undefined;
        add(measure(sel.selectionSet, on ? describe(on) : type, parent, isRoot, inFragments));
      } else {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || inFragments.has(name)) continue;
        const on = schema.getType(frag.typeCondition.name.value);
        const key = `${name}\u0000${type.name}\u0000${isRoot}\u0000${keyOf(parent)}`;
        let m = memo.get(key);
        if (m === undefined) {
          m = measure(frag.selectionSet, on ? describe(on) : type, parent, isRoot, new Set([...inFragments, name]));
          memo.set(key, m);
        }
        add(m);
      }
    }
    return total;
  }

  const m = measure(op.selectionSet, describe(root), undefined, true, new Set());
  return { requested: Math.ceil(m.calls), complexity: Math.ceil(m.complexity) };
}
