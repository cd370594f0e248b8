import { full, type Tensor } from '@edora/tensor';
import { Linear, Module, ModuleList } from '../src/index.js';

// A RoBERTa-shaped tree holding only the Linear layers, at HF's paths. Weights are stride-0 views
// of one number (no memory per weight), so even roberta-large's 300M-weight shape costs nothing.
function lin(inF: number, out: number): Linear {
  const w = full([1, 1], 0.01).expand([out, inF]);
  return Linear.fromTensors(w, full([1], 0).expand([out]));
}

class Container extends Module {
  constructor(children: Record<string, Module>) {
    super();
    for (const [k, v] of Object.entries(children)) this.registerModule(k, v);
  }
  forward(): never {
    throw new Error('shape-only tree');
  }
}

export function robertaShaped(hidden: number, intermediate: number, layers: number, labels = 2): Module {
  const layer = (): Module =>
    new Container({
      attention: new Container({
        self: new Container({ query: lin(hidden, hidden), key: lin(hidden, hidden), value: lin(hidden, hidden) }),
        output: new Container({ dense: lin(hidden, hidden) }),
      }),
      intermediate: new Container({ dense: lin(hidden, intermediate) }),
      output: new Container({ dense: lin(intermediate, hidden) }),
    });
  return new Container({
    roberta: new Container({ encoder: new Container({ layer: new ModuleList(Array.from({ length: layers }, layer)) }) }),
    classifier: new Container({ dense: lin(hidden, hidden), out_proj: lin(hidden, labels) }),
  });
}

export type { Tensor };
