/**
 * Renderers never import chalk: the terminal module passes these in (chalk's functions when colour is
 * on, identities when NO_COLOR or a pipe turns it off), so every renderer stays a pure string function.
 */
export interface Colors {
  bold: (text: string) => string;
  dim: (text: string) => string;
  green: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  cyan: (text: string) => string;
}

const identity = (text: string): string => text;

export const noColors: Colors = {
  bold: identity,
  dim: identity,
  green: identity,
  red: identity,
  yellow: identity,
  cyan: identity,
};

// SGR sequences (what chalk emits) plus OSC 8 hyperlinks, which also take no columns.
// eslint-disable-next-line no-control-regex
const ansiPattern = /\u001b\[[0-9;]*m|\u001b\]8;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, '');
}
