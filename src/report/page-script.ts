/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The report page's one script: the per-record table (filters, search, details on demand). It runs in
 * the browser, so it is written as one self-contained function whose source the page embeds
 * (`String(runReportPage)`): it may use nothing from outside its own body. It reads the records from the
 * page's JSON data block and puts every value into the page with textContent, never as markup, so a
 * record or completion holding `<script>` shows as text and runs nothing.
 */

/** The JSON data block the page script reads (see html-page.ts). */
export interface PageData {
  cells: Array<{ label: string; color: string }>;
  records: Array<{
    id: string;
    vars: Record<string, unknown>;
    expected: string | string[] | null;
    disagree: boolean;
    wrong: boolean;
    failed: boolean;
    outcomes: Array<{
      answer: string | null;
      correct: boolean | null;
      error: string | null;
      completions: Array<{ text: string; answer: string | null; finishReason: string | null; via?: unknown }>;
      votes: Record<string, number> | null;
      agreement: number | null;
      samplesUsed: number;
      warnings: string[];
    } | null>;
  }>;
}

export function runReportPage(): void {
  const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as PageData;
  const body = document.getElementById('records-body') as HTMLTableSectionElement | null;
  const head = document.getElementById('records-head') as HTMLTableRowElement | null;
  const filter = document.getElementById('records-filter') as HTMLSelectElement | null;
  const search = document.getElementById('records-search') as HTMLInputElement | null;
  const count = document.getElementById('records-count');
  const more = document.getElementById('records-more') as HTMLButtonElement | null;
  if (!body || !head || !filter || !search || !count || !more) return;
  const pageSize = 200;
  let shown = pageSize;

  const element = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] => {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  };
  const inputText = (vars: Record<string, unknown>): string => {
    if (typeof vars.input === 'string') return vars.input;
    const values = Object.values(vars);
    if (values.length === 1 && typeof values[0] === 'string') return values[0];
    return JSON.stringify(vars);
  };
  const expectedText = (expected: string | string[] | null): string =>
    expected === null ? '—' : Array.isArray(expected) ? expected.join(' | ') : expected;
  type Outcome = PageData['records'][number]['outcomes'][number];
  const verdict = (outcome: Outcome): { mark: string; kind: string; title: string } => {
    if (outcome === null) return { mark: '·', kind: 'absent', title: 'no result' };
    if (outcome.error !== null) return { mark: '!', kind: 'error', title: 'error' };
    if (outcome.answer === null) return { mark: '?', kind: 'none', title: 'no answer found' };
    if (outcome.correct === true) return { mark: '✓', kind: 'right', title: 'correct' };
    if (outcome.correct === false) return { mark: '✗', kind: 'wrong', title: 'wrong' };
    return { mark: '', kind: 'unscored', title: 'not scored' };
  };

  for (const cell of data.cells) {
    const th = element('th', 'cell-head');
    const swatch = element('span', 'swatch');
    swatch.style.background = cell.color;
    th.append(swatch, document.createTextNode(cell.label));
    head.append(th);
  }

  const matches = (record: PageData['records'][number]): boolean => {
    const which = filter.value;
    if (which === 'disagree' && !record.disagree) return false;
    if (which === 'wrong' && !record.wrong) return false;
    if (which === 'failed' && !record.failed) return false;
    const query = search.value.trim().toLowerCase();
    if (query === '') return true;
    const haystack = [
      record.id,
      inputText(record.vars),
      expectedText(record.expected),
      ...record.outcomes.map((outcome) => outcome?.answer ?? ''),
    ]
      .join('\n')
      .toLowerCase();
    return haystack.includes(query);
  };

  const details = (record: PageData['records'][number]): HTMLElement => {
    const box = element('div', 'details');
    const input = element('div', 'vars');
    for (const [name, value] of Object.entries(record.vars)) {
      input.append(element('div', 'var-name', name));
      input.append(element('pre', 'var-value', typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
    }
    input.append(element('div', 'var-name', 'expected'), element('pre', 'var-value', expectedText(record.expected)));
    box.append(input);
    const outcomes = element('div', 'outcomes');
    for (const [index, outcome] of record.outcomes.entries()) {
      const cell = data.cells[index];
      if (!cell || outcome === null) continue;
      const card = element('section', 'outcome');
      card.style.borderTopColor = cell.color;
      const status = verdict(outcome);
      const title = element('h4', undefined, cell.label);
      title.append(element('span', `verdict ${status.kind}`, ` ${status.mark} ${status.title}`));
      card.append(title);
      const facts = element('dl', 'facts');
      const fact = (name: string, value: string) =>
        facts.append(element('dt', undefined, name), element('dd', undefined, value));
      fact('answer', outcome.answer ?? '(none)');
      if (outcome.error !== null) fact('error', outcome.error);
      if (outcome.votes !== null) {
        const votes = Object.entries(outcome.votes).sort((left, right) => right[1] - left[1]);
        fact('votes', votes.map(([answer, votesFor]) => `${answer} ×${votesFor}`).join(', ') || '(none)');
      }
      if (outcome.agreement !== null) fact('agreement', `${Math.round(outcome.agreement * 100)}%`);
      if (outcome.completions.length > 1) fact('samples used', String(outcome.samplesUsed));
      for (const warning of outcome.warnings) fact('warning', warning);
      card.append(facts);
      for (const [number, completion] of outcome.completions.entries()) {
        const each = element('details', 'completion');
        const parts = [`#${number + 1}`, `answer ${completion.answer ?? '(none)'}`];
        if (typeof completion.via === 'string') parts.push(`via ${completion.via}`);
        if (completion.finishReason !== null && completion.finishReason !== 'stop')
          parts.push(`finish ${completion.finishReason}`);
        each.append(
          element('summary', undefined, parts.join(' · ')),
          element('pre', 'completion-text', completion.text),
        );
        card.append(each);
      }
      outcomes.append(card);
    }
    box.append(outcomes);
    return box;
  };

  const row = (record: PageData['records'][number]): HTMLTableRowElement[] => {
    const tr = element('tr', 'record');
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', 'false');
    tr.append(element('td', 'record-id', record.id));
    const input = element('td', 'record-input', inputText(record.vars));
    input.title = inputText(record.vars);
    tr.append(input, element('td', 'record-expected', expectedText(record.expected)));
    for (const outcome of record.outcomes) {
      const status = verdict(outcome);
      const td = element('td', `answer ${status.kind}`);
      td.title = status.title;
      td.append(element('span', 'mark', status.mark), element('span', 'answer-text', outcome?.answer ?? ''));
      tr.append(td);
    }
    let open: HTMLTableRowElement | null = null;
    const toggle = () => {
      if (open !== null) {
        open.remove();
        open = null;
        tr.setAttribute('aria-expanded', 'false');
        return;
      }
      open = element('tr', 'record-details');
      const td = element('td');
      td.colSpan = 3 + data.cells.length;
      td.append(details(record));
      open.append(td);
      tr.after(open);
      tr.setAttribute('aria-expanded', 'true');
    };
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      }
    });
    return [tr];
  };

  const render = () => {
    const matching = data.records.filter(matches);
    body.replaceChildren(...matching.slice(0, shown).flatMap(row));
    count.textContent = `${Math.min(shown, matching.length)} of ${matching.length} matching records shown (${data.records.length} in all)`;
    more.hidden = matching.length <= shown;
  };
  filter.addEventListener('change', () => {
    shown = pageSize;
    render();
  });
  search.addEventListener('input', () => {
    shown = pageSize;
    render();
  });
  more.addEventListener('click', () => {
    shown += pageSize;
    render();
  });
  render();
}
