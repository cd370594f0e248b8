/**
 * PEFT's target matching: a list entry t matches the module at dotted path p when p === t or p
 * ends with "." + t (so "output.dense" matches both "…attention.output.dense" and "…layer.0.output.dense");
 * a single string is a regular expression that must match the whole path.
 */
export function matchesTarget(path: string, targets: string | readonly string[]): boolean {
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(path);
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}
