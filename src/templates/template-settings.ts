/**
 * promptlab's own settings in a template's front matter, under the one key `promptlab:` (`settingsKey`, in
 * front-matter.ts). Other Dotprompt implementations ignore the key, so a template stays portable. The schema is
 * strict: the file is written by hand, and a misspelt setting that silently did nothing would be worse than an error.
 */
import { z } from 'zod';
import { isNormalizeStep, type NormalizeStep, normalizeStepNames } from '../core/normalize-steps.js';

const scalarText = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })
  .transform(String);

/** The fields of a demonstration, as an --examples line holds them (strategies/parse-demonstration.ts reads those). */
export const demonstrationFields = {
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  input: z.union([z.string(), z.record(z.string(), z.unknown())], {
    error: 'expected a string or an object of template variables',
  }),
  output: scalarText,
  reasoning: z.string().optional(),
};

/**
 * A demonstration carried by the template itself (what `promptlab tune --save` writes): few-shot, cot and
 * self-consistency use these when no --examples file is given. Strict: a template is written by hand.
 */
const templateDemonstrationSchema = z.object(demonstrationFields).strict();

export type TemplateDemonstration = z.infer<typeof templateDemonstrationSchema>;

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
    /** Demonstrations in the template, used when no --examples file is given. */
    demonstrations: z.array(templateDemonstrationSchema).min(1).optional(),
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
