import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  collectTemplateVariables,
  findPartialReferences,
  findUnknownHelperCall,
  type TemplateVariables,
} from '../../src/templates/template-variables.js';

const variablesOf = (body: string, partials: Record<string, string> = {}): TemplateVariables =>
  collectTemplateVariables(
    Handlebars.parse(body),
    new Map(Object.entries(partials).map(([name, source]) => [name, Handlebars.parse(source)])),
  );

describe('collectTemplateVariables', () => {
  it.each<[string, string[], string[]]>([
    ['{{input}}', ['input'], []],
    ['{{question}} {{input}} {{question}}', ['question', 'input'], []],
    ['{{{raw}}} {{person.name}}', ['raw', 'person'], []],
    ['{{role "system"}}Be brief.{{role "user"}}{{input}}{{history}}', ['input'], []],
    ['{{json data indent=2}} {{media url=image}}', ['data', 'image'], []],
    ['{{#each choices}}({{@index}}) {{this}} {{label}}{{/each}}', ['choices'], []],
    [
      '{{#each choices as |choice|}}{{choice}} {{../prefix}} {{@root.suffix}}{{/each}}',
      ['choices', 'prefix', 'suffix'],
      [],
    ],
    ['{{#with person}}{{name}} {{../greeting}}{{/with}}', ['person', 'greeting'], []],
    ['{{#items}}{{name}}{{/items}}', ['items'], []],
    ['{{#if context}}Context: {{context}} {{source}}{{/if}}{{input}}', ['input'], ['context', 'source']],
    ['{{#unless terse}}{{a}}{{else}}{{b}}{{/unless}}', [], ['terse', 'a', 'b']],
    ['{{#ifEquals kind "x"}}{{x}}{{/ifEquals}}', [], ['kind', 'x']],
    ['{{#each xs}}{{x}}{{else}}{{empty}}{{/each}}', ['xs'], ['empty']],
    ['{{#if flag}}{{/if}}{{flag}}', ['flag'], []],
    ['{{lookup table key}} {{this.foo}} {{this}} {{@index}} {{@root}}', ['table', 'key', 'foo'], []],
    ['{{#each rows}}{{#each cells}}{{../../top}}{{/each}}{{/each}}', ['rows', 'top'], []],
  ])('%s', (body, required, optional) => expect(variablesOf(body)).toEqual({ required, optional }));

  it.each<[string, Record<string, string>, string[]]>([
    ['{{> header}}{{input}}', { header: 'About {{topic}}.' }, ['topic', 'input']],
    ['{{> header topic="math"}}{{input}}', { header: 'About {{topic}} for {{audience}}.' }, ['audience', 'input']],
    ['{{> header person}}', { header: '{{name}}' }, ['person']],
    ['{{#each items}}{{> row}}{{/each}}', { row: '{{cell}}' }, ['items']],
    ['{{> tree}}', { tree: '{{node}}{{#if more}}{{> tree}}{{/if}}' }, ['node']],
  ])('follows partials: %s', (body, partials, required) =>
    expect(variablesOf(body, partials).required).toEqual(required),
  );
});

describe('findPartialReferences', () => {
  it.each<[string, Array<string | null>]>([
    ['{{> header}}\n{{#if x}}{{> "footer"}}{{/if}}', ['header', 'footer']],
    ['{{#> layout}}body {{> inner}}{{/layout}}', ['layout', 'inner']],
    ['{{> ../../etc/passwd}}', ['../../etc/passwd']],
    ['{{> (lookup . "name")}}', [null]],
    ['{{> @partial-block}}', []],
  ])('%s', (body, names) =>
    expect(findPartialReferences(Handlebars.parse(body)).map((reference) => reference.name)).toEqual(names),
  );

  it('reports the line of each reference', () =>
    expect(findPartialReferences(Handlebars.parse('a\nb\n{{> header}}'))).toEqual([{ name: 'header', line: 3 }]));
});

describe('findUnknownHelperCall', () => {
  it.each<[string, { name: string; line: number } | null]>([
    ['{{input}} {{#each xs}}{{this}}{{/each}} {{json x}} {{lookup a b}}', null],
    ['line one\n{{shout input}}', { name: 'shout', line: 2 }],
    ['{{#repeat 3}}x{{/repeat}}', { name: 'repeat', line: 1 }],
    ['{{json (upper input)}}', { name: 'upper', line: 1 }],
    ['{{#if x}}\n\n{{format y style="bold"}}{{/if}}', { name: 'format', line: 3 }],
  ])('%s', (body, expected) => expect(findUnknownHelperCall(Handlebars.parse(body))).toEqual(expected));
});
