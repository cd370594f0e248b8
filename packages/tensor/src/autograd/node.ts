import type { Tensor } from '../tensor.js';

/**
 * Gradients of an op's inputs given the gradient of its output. `needs[i]` says whether input i
 * wants a gradient at all (a frozen weight does not): backward functions skip those, which is
 * how frozen tensors never cost a weight-gradient product.
 */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[], needs: readonly boolean[]) => readonly (Tensor | null | undefined)[];

export type Edge = { node: GradNode; leaf?: undefined } | { leaf: Tensor; node?: undefined } | null;

/**
 * One recorded op in the graph. A node is referenced by the tensor it produced and by the nodes
 * of ops that consumed that tensor; when the count drops to zero its saved tensors are released
 * and it lets go of its inputs. `backward()` frees saved tensors early (unless retainGraph).
 */
export class GradNode {
  refs = 1;
  buffersFreed = false;
  constructor(
    readonly name: string,
    readonly next: readonly Edge[],
    readonly saved: readonly Tensor[],
    readonly backward: BackwardFn,
    /** shapes of the inputs, for error messages and gradient shape checks */
    readonly inputShapes: readonly (readonly number[])[],
  ) {
    for (const e of next) if (e?.node) e.node.refs++;
    this.needs = next.map((e) => e !== null);
  }

  readonly needs: readonly boolean[];

  freeBuffers(): void {
    if (this.buffersFreed) return;
    this.buffersFreed = true;
    for (const t of this.saved) t.dispose();
  }

  unref(): void {
    if (--this.refs > 0) return;
    this.freeBuffers();
    for (const e of this.next) e?.node?.unref();
  }
}
