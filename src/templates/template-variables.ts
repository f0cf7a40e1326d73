/**
 * Which variables a template needs, read from its Handlebars syntax tree (pure). Used when the front matter
 * declares no `input.schema`: a record missing one of these is an input error, reported before rendering
 * instead of silently sending an empty string to the model.
 *
 * A reference counts when it names a top-level variable: `{{question}}`, `{{#each choices}}`, `{{json data}}`,
 * `{{@root.name}}`, or `{{../name}}` that climbs back to the top. Paths inside `#each`/`#with` (and other
 * context-changing blocks) are relative to the block's item and do not count; nor do helper names, `this`,
 * `@`-data variables and block parameters. A variable only used under `#if`/`#unless` (or as the condition)
 * is optional: that is how a template says "render this part when the record has it".
 */
/// <reference types="handlebars" />
// The reference brings the handlebars typings, which declare the `hbs.AST` namespace used below.

export type TemplateSyntaxTree = hbs.AST.Program;

/** Helpers that Handlebars and Dotprompt define; a mustache naming one of these is a call, not a variable. */
export const helperNames: ReadonlySet<string> = new Set([
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'role',
  'history',
  'media',
  'section',
  'json',
  'ifEquals',
  'unlessEquals',
]);
const conditionalBlockHelpers = new Set(['if', 'unless', 'ifEquals', 'unlessEquals']);
const contextChangingBlockHelpers = new Set(['each', 'with']);

export interface TemplateVariables {
  /** Variables referenced outside any conditional block, in order of first appearance. */
  required: string[];
  /** Variables referenced only under `#if`/`#unless` or as their condition, in order of first appearance. */
  optional: string[];
}

export interface PartialReference {
  /** The partial's name as written (`header`, `../../etc/passwd`), or null for a dynamic `{{> (expr)}}`. */
  name: string | null;
  /** Line within the template body. */
  line: number;
}

interface WalkState {
  /** Number of enclosing blocks that changed the context (`../` must climb this many to reach the top). */
  contextDepth: number;
  conditional: boolean;
  blockParams: ReadonlySet<string>;
  /** Names a partial receives through its hash (`{{> p name=...}}`): set by the caller, not by the record. */
  providedNames: ReadonlySet<string>;
  /** Partials being walked, so a recursive partial does not loop. */
  partialStack: readonly string[];
}

/** Collects top-level variables of `tree`, following `{{> name}}` into the partial trees given. */
export function collectTemplateVariables(
  tree: TemplateSyntaxTree,
  partialTrees: ReadonlyMap<string, TemplateSyntaxTree>,
): TemplateVariables {
  const unconditional = new Set<string>();
  const seen = new Set<string>();
  const order: string[] = [];

  const record = (name: string, state: WalkState): void => {
    if (state.providedNames.has(name)) return;
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
    if (!state.conditional) unconditional.add(name);
  };

  const visitPath = (path: hbs.AST.PathExpression, state: WalkState): void => {
    if (path.data) {
      if (path.parts[0] === 'root' && path.parts.length >= 2)
        record(path.parts[1]!, { ...state, providedNames: new Set() });
      return;
    }
    const head = path.parts[0];
    if (head === undefined) return; // `this`
    if (path.depth === 0 && state.blockParams.has(head)) return;
    if (path.depth === state.contextDepth) record(head, state);
  };

  const visitExpression = (expression: hbs.AST.Expression, state: WalkState): void => {
    if (expression.type === 'PathExpression') visitPath(expression as hbs.AST.PathExpression, state);
    else if (expression.type === 'SubExpression') visitCall(expression as hbs.AST.SubExpression, state);
  };

  const visitCall = (
    call: { params: hbs.AST.Expression[]; hash: hbs.AST.Hash | undefined },
    state: WalkState,
  ): void => {
    for (const param of call.params) visitExpression(param, state);
    for (const pair of call.hash?.pairs ?? []) visitExpression(pair.value, state);
  };

  const visitProgram = (program: hbs.AST.Program | undefined, state: WalkState): void => {
    for (const statement of program?.body ?? []) visitStatement(statement, state);
  };

  const insideBlock = (
    state: WalkState,
    program: hbs.AST.Program,
    changesContext: boolean,
    conditional: boolean,
  ): WalkState => ({
    ...state,
    contextDepth: state.contextDepth + (changesContext ? 1 : 0),
    conditional: state.conditional || conditional,
    blockParams: new Set([...state.blockParams, ...(program.blockParams ?? [])]),
  });

  const visitStatement = (statement: hbs.AST.Statement, state: WalkState): void => {
    switch (statement.type) {
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        if (mustache.path.type !== 'PathExpression') return;
        const path = mustache.path as hbs.AST.PathExpression;
        const isCall = mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0 || isHelperName(path);
        if (isCall) visitCall(mustache, state);
        else visitPath(path, state);
        return;
      }
      case 'BlockStatement': {
        const block = statement as hbs.AST.BlockStatement;
        const helper = isHelperName(block.path) ? block.path.parts[0]! : null;
        if (helper !== null && conditionalBlockHelpers.has(helper)) {
          const conditionalState = { ...state, conditional: true };
          visitCall(block, conditionalState);
          visitProgram(block.program, insideBlock(state, block.program, false, true));
          visitProgram(block.inverse, conditionalState);
          return;
        }
        if (helper === null && block.params.length === 0)
          visitPath(block.path, state); // `{{#items}}…{{/items}}`
        else visitCall(block, state);
        const changesContext = helper === null || contextChangingBlockHelpers.has(helper);
        visitProgram(block.program, insideBlock(state, block.program, changesContext, helper === null));
        // An `{{else}}` renders in the outer context when the list or value is empty.
        visitProgram(block.inverse, { ...state, conditional: true });
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const partial = statement as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
        visitCall(partial, state);
        if ('program' in partial) visitProgram(partial.program, state);
        const name = staticPartialName(partial.name);
        // With an explicit context (`{{> p item}}`) or inside a block, the partial's paths are relative.
        if (name === null || partial.params.length > 0 || state.contextDepth > 0) return;
        const partialTree = partialTrees.get(name);
        if (partialTree === undefined || state.partialStack.includes(name)) return;
        const hashKeys = (partial.hash?.pairs ?? []).map((pair) => pair.key);
        visitProgram(partialTree, {
          ...state,
          providedNames: new Set([...state.providedNames, ...hashKeys]),
          partialStack: [...state.partialStack, name],
        });
        return;
      }
      default:
        return; // content, comments, decorators
    }
  };

  visitProgram(tree, {
    contextDepth: 0,
    conditional: false,
    blockParams: new Set(),
    providedNames: new Set(),
    partialStack: [],
  });
  return {
    required: order.filter((name) => unconditional.has(name)),
    optional: order.filter((name) => !unconditional.has(name)),
  };
}

/** Every `{{> name}}` and `{{#> name}}` in the tree, for loading the partial files before rendering. */
export function findPartialReferences(tree: TemplateSyntaxTree): PartialReference[] {
  const references: PartialReference[] = [];
  const visitProgram = (program: hbs.AST.Program | undefined): void => {
    for (const statement of program?.body ?? []) {
      if (statement.type === 'PartialStatement' || statement.type === 'PartialBlockStatement') {
        const partial = statement as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
        // `{{> @partial-block}}` renders the caller's block content; it names no file.
        const isPartialBlockContent =
          partial.name.type === 'PathExpression' && (partial.name as hbs.AST.PathExpression).data;
        if (!isPartialBlockContent)
          references.push({ name: staticPartialName(partial.name), line: statement.loc.start.line });
        if ('program' in partial) visitProgram(partial.program);
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        visitProgram(block.program);
        visitProgram(block.inverse);
      }
    }
  };
  visitProgram(tree);
  return references;
}

export interface HelperCall {
  name: string;
  /** Line within the body. */
  line: number;
}

/**
 * The first call of a helper that neither Handlebars nor Dotprompt defines (`{{shout input}}`). Dotprompt
 * compiles with `knownHelpersOnly`, so such a template can never render; finding it in each file's own tree
 * gives the right file and line even when the call sits in a partial.
 */
export function findUnknownHelperCall(tree: TemplateSyntaxTree): HelperCall | null {
  const unknownIn = (
    node: { path?: unknown; params: hbs.AST.Expression[]; hash: hbs.AST.Hash | undefined; loc: hbs.AST.SourceLocation },
    alwaysCall: boolean,
  ): HelperCall | null => {
    const path = node.path as hbs.AST.PathExpression | undefined;
    const isCall = alwaysCall || node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    const isPlainName = path?.type === 'PathExpression' && !path.data && path.depth === 0 && path.parts.length === 1;
    if (isCall && isPlainName && !helperNames.has(path.parts[0]!))
      return { name: path.parts[0]!, line: node.loc.start.line };
    for (const expression of [...node.params, ...(node.hash?.pairs ?? []).map((pair) => pair.value)]) {
      if (expression.type !== 'SubExpression') continue;
      const found = unknownIn(expression as hbs.AST.SubExpression, true);
      if (found !== null) return found;
    }
    return null;
  };
  const visitProgram = (program: hbs.AST.Program | undefined): HelperCall | null => {
    for (const statement of program?.body ?? []) {
      let found: HelperCall | null = null;
      if (statement.type === 'MustacheStatement') {
        found = unknownIn(statement as hbs.AST.MustacheStatement, false);
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        found = unknownIn(block, false) ?? visitProgram(block.program) ?? visitProgram(block.inverse);
      } else if (statement.type === 'PartialStatement' || statement.type === 'PartialBlockStatement') {
        const partial = statement as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
        found = unknownIn({ params: partial.params, hash: partial.hash, loc: partial.loc }, false);
        if (found === null && 'program' in partial) found = visitProgram(partial.program);
      }
      if (found !== null) return found;
    }
    return null;
  };
  return visitProgram(tree);
}

function isHelperName(path: hbs.AST.PathExpression): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 && helperNames.has(path.parts[0]!);
}

function staticPartialName(name: hbs.AST.PathExpression | hbs.AST.SubExpression): string | null {
  if (name.type === 'SubExpression') return null;
  const original: unknown = (name as { original?: unknown }).original;
  return original === undefined ? null : String(original);
}
