/**
 * promptlab's own settings in a template's front matter, under the one key `promptlab:` (`settingsKey`, in
 * front-matter.ts). Other Dotprompt implementations ignore the key, so a template stays portable. The schema is
 * strict: the file is written by hand, and a misspelt setting that silently did nothing would be worse than an error.
 */
import { z } from 'zod';
import { isNormalizeStep, type NormalizeStep, normalizeStepNames } from '../core/normalize-steps.js';

const answerTypePattern = /^(number|choice|yesno|text|regex:.+)$/s;

function isCompilableRegexAnswer(answer: string): boolean {
  if (!answer.startsWith('regex:')) return true;
  try {
    new RegExp(answer.slice('regex:'.length));
    return true;
  } catch {
    return false;
  }
}

export const templateSettingsSchema = z
  .object({
    /** Answer type, in the same words as `--answer`: kept as the string the user wrote; the CLI parses it. */
    answer: z
      .string()
      .regex(answerTypePattern, { message: 'expected number, choice, yesno, text or regex:PATTERN' })
      .refine(isCompilableRegexAnswer, { message: 'the regex: pattern is not a valid regular expression' })
      .optional(),
    /** Allowed choice letters for `answer: choice`, e.g. [A, B, C, D]. */
    choices: z
      .array(z.string().min(1, { message: 'a choice cannot be empty' }))
      .min(1)
      .optional(),
    /** Chain-of-thought trigger, e.g. "Let's think step by step." */
    trigger: z.string().min(1).optional(),
    /** Two-stage extraction trigger, e.g. "Therefore, the answer (arabic numerals) is". */
    answerTrigger: z.string().min(1).optional(),
    /** Which candidate answer to keep when the text holds several. */
    pick: z.enum(['first', 'last']).optional(),
    /**
     * The task's answer rule for text and regex answers, like `--normalize` (which beats it): steps applied
     * in order, as a comma list (`remove-whitespace,remove-punctuation`) or a YAML list.
     */
    normalize: z
      .union([z.string(), z.array(z.string())])
      .transform((value, context): NormalizeStep[] => {
        const names = (typeof value === 'string' ? value.split(',') : value)
          .map((name) => name.trim().toLowerCase())
          .filter((name) => name !== '');
        const unknown = names.find((name) => !isNormalizeStep(name)) ?? (names.length === 0 ? '' : undefined);
        if (unknown !== undefined) {
          context.addIssue({
            code: 'custom',
            message: `unknown normalisation step "${unknown}" (known: ${normalizeStepNames.join(', ')})`,
          });
          return z.NEVER;
        }
        return names as NormalizeStep[];
      })
      .optional(),
  })
  .strict()
  .superRefine((settings, context) => {
    const type = settings.answer?.startsWith('regex:') ? 'regex' : (settings.answer ?? 'text');
    if (settings.normalize !== undefined && type !== 'text' && type !== 'regex') {
      context.addIssue({
        code: 'custom',
        path: ['normalize'],
        message: `applies to text and regex answers; answer: ${type} has its own canonical form`,
      });
    }
  });

export type TemplateSettings = z.infer<typeof templateSettingsSchema>;

/** Setting names, for error messages that say what would have been accepted. */
export const knownSettingNames: readonly string[] = Object.keys(templateSettingsSchema.shape);
