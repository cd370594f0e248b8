import { compileTargetPattern } from './target-pattern.js';

/**
 * PEFT's target matching: a list entry t matches the module at dotted path p when p === t or p
 * ends with "." + t (so "output.dense" matches both "…attention.output.dense" and "…layer.0.output.dense");
 * a single string is a regular expression that must match the whole path (`re.fullmatch`), run by
 * the linear-time matcher of target-pattern.ts, never by a backtracking RegExp.
 */
export function matchesTarget(path: string, targets: string | readonly string[]): boolean {
  if (typeof targets === 'string') return compileTargetPattern(targets)(path);
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}
