/** The formats compare and eval write: a renderer each (html: src/report), jsonl streamed as results finish. */
export const compareFormats = ['table', 'json', 'jsonl', 'markdown', 'junit', 'html'] as const;
export type CompareFormat = (typeof compareFormats)[number];

/** What a file name says its format is: .jsonl, .xml (JUnit), .md, .html, else JSON. */
export function formatOfPath(path: string): Exclude<CompareFormat, 'table'> {
  if (path.endsWith('.jsonl')) return 'jsonl';
  if (path.endsWith('.xml')) return 'junit';
  if (path.endsWith('.md')) return 'markdown';
  if (path.endsWith('.html')) return 'html';
  return 'json';
}
