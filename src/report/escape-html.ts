/**
 * Everything in the report that comes from a dataset, a template or a model is data, never markup: text
 * goes into the page through escapeHtml, and the records the page script shows go in as JSON that no
 * value can break out of.
 */

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEntities[character]!);
}

/**
 * JSON to place inside `<script type="application/json">`. The HTML parser ends a script element at the
 * first `</script` whatever the JSON means, and `<!--` changes how it reads on; escaping every `<` (and
 * `>` and `&`, for good measure) as a JSON unicode escape keeps the value the same and the tag closed.
 * U+2028 and U+2029 are escaped too, so the text is also valid JavaScript should anyone paste it.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
