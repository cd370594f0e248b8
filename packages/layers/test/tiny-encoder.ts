import type { Tensor } from '@edora/tensor';
import { Linear, Module, ModuleList, type LinearLike } from '../src/index.js';

// A 2-layer model with RoBERTa's module paths (roberta.encoder.layer.{i}.attention.self.{query,value},
// classifier.{dense,out_proj}) whose forward chains the Linears, enough to check adapter files.
class SelfAttn extends Module {
  query: LinearLike;
  value: LinearLike;
  constructor(h: number, seed: number) {
    super();
    this.query = this.registerModule('query', new Linear(h, h, { seed }));
    this.value = this.registerModule('value', new Linear(h, h, { seed: seed + 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.value.forward(this.query.forward(x));
  }
}
class Attention extends Module {
  self: SelfAttn;
  constructor(h: number, seed: number) {
    super();
    this.self = this.registerModule('self', new SelfAttn(h, seed));
  }
  forward(x: Tensor): Tensor {
    return this.self.forward(x);
  }
}
class Layer extends Module {
  attention: Attention;
  constructor(h: number, seed: number) {
    super();
    this.attention = this.registerModule('attention', new Attention(h, seed));
  }
  forward(x: Tensor): Tensor {
    return this.attention.forward(x);
  }
}
class Encoder extends Module {
  layer: ModuleList<Layer>;
  constructor(h: number, layers: number) {
    super();
    this.layer = this.registerModule('layer', new ModuleList(Array.from({ length: layers }, (_, i) => new Layer(h, 10 * i + 1))));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    for (const l of this.layer) y = l.forward(y);
    return y;
  }
}
class Roberta extends Module {
  encoder: Encoder;
  constructor(h: number, layers: number) {
    super();
    this.encoder = this.registerModule('encoder', new Encoder(h, layers));
  }
  forward(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }
}
class Head extends Module {
  dense: LinearLike;
  out_proj: LinearLike;
  constructor(h: number, labels: number) {
    super();
    this.dense = this.registerModule('dense', new Linear(h, h, { seed: 100 }));
    this.out_proj = this.registerModule('out_proj', new Linear(h, labels, { seed: 101 }));
  }
  forward(x: Tensor): Tensor {
    return this.out_proj.forward(this.dense.forward(x));
  }
}
export class TinyEncoder extends Module {
  roberta: Roberta;
  classifier: Head;
  constructor(h = 8, layers = 2, labels = 2) {
    super();
    this.roberta = this.registerModule('roberta', new Roberta(h, layers));
    this.classifier = this.registerModule('classifier', new Head(h, labels));
  }
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.roberta.forward(x));
  }
}
