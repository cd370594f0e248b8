import { AutogradError } from '../errors.js';
import { sameShape, shapeStr } from '../shape.js';
import { keep, tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import type { GradNode } from './node.js';
import { add } from '../ops/elementwise.js';
import { contiguous } from '../ops/views.js';
import { onesLike } from '../ops/creation.js';

/** Topological order (inputs before consumers) of the graph feeding `root`. */
function topoOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const seen = new Set<GradNode>();
  const stack: [GradNode, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.next.length) {
      top[1]++;
      const child = node.next[i]?.node;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (!sameShape(leaf.shape, g.shape)) {
    throw new AutogradError(`gradient of shape ${shapeStr(g.shape)} does not match leaf ${shapeStr(leaf.shape)}`);
  }
  // stored gradients are dense and owned by the leaf, outside every scope
  const dense = g.isContiguous && g.dtype === leaf.dtype ? g : contiguous(g);
  if (leaf.grad) {
    const sum = add(leaf.grad, dense);
    leaf.grad.dispose();
    leaf.grad = keep(sum);
  } else {
    leaf.grad = keep(dense === g ? g.detach() : dense);
  }
}

/**
 * Reverse-mode differentiation from `root`. Gradients of leaves accumulate in `.grad`; saved
 * tensors of the graph are freed afterwards unless `retainGraph`.
 */
export function backward(root: Tensor, grad?: Tensor, options: { retainGraph?: boolean } = {}): void {
  root.assertAlive('backward');
  if (!root.requiresGrad) {
    throw new AutogradError('backward: the tensor does not require grad (no input of its graph has requiresGrad = true)');
  }
  if (grad && !sameShape(grad.shape, root.shape)) {
    throw new AutogradError(`backward: gradient shape ${shapeStr(grad.shape)} differs from the tensor's ${shapeStr(root.shape)}`);
  }
  if (!grad && root.size !== 1) {
    throw new AutogradError(`backward: a gradient is required for non-scalar output of shape ${shapeStr(root.shape)}`);
  }
  noGrad(() =>
    tidy(() => {
      const seed = grad ?? onesLike(root);
      if (!root.node) {
        accumulateLeaf(root, seed);
        return;
      }
      const order = topoOrder(root.node);
      const grads = new Map<GradNode, Tensor>([[root.node, seed]]);
      for (let k = order.length - 1; k >= 0; k--) {
        const node = order[k]!;
        const g = grads.get(node);
        if (!g) continue;
        grads.delete(node);
        if (node.buffersFreed) {
          throw new AutogradError(
            `backward through "${node.name}" a second time: its saved tensors were freed; pass { retainGraph: true } to the first backward`,
          );
        }
        const raw = tidy(() => [...node.backward(g, node.saved, node.needs)]);
        // every gradient handed on must be its own handle: one may be g itself or repeat
        const seen = new Set<Tensor>([g]);
        const inGrads = raw.map((t) => {
          if (!t) return t;
          if (!seen.has(t)) {
            seen.add(t);
            return t;
          }
          return t.detach();
        });
        if (g !== grad) g.dispose();
        node.next.forEach((edge, i) => {
          const ng = inGrads[i];
          if (!ng) return;
          if (!edge) {
            ng.dispose();
            return;
          }
          const expected = node.inputShapes[i]!;
          if (!sameShape(ng.shape, expected)) {
            throw new AutogradError(`backward of "${node.name}": input ${i} gradient ${shapeStr(ng.shape)} ≠ input shape ${shapeStr(expected)}`);
          }
          if (edge.leaf) {
            accumulateLeaf(edge.leaf, ng);
            return;
          }
          const prev = grads.get(edge.node);
          if (prev) {
            grads.set(edge.node, add(prev, ng));
            prev.dispose();
            ng.dispose();
          } else grads.set(edge.node, ng);
        });
      }
      if (!options.retainGraph) for (const node of order) node.freeBuffers();
    }),
  );
}
