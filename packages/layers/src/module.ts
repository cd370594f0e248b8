import { assign, keep, noGrad, shapeStr, type Tensor } from '@edora/tensor';
import { ModulePathError, StateDictError, listForMessage } from './errors.js';

/**
 * A parameter is a plain `Tensor` registered in a module under a name. Its trainable flag is the
 * tensor's own `requiresGrad`, so an optimizer, autograd and this module system agree on it
 * without a wrapper to keep in sync.
 */
export type Parameter = Tensor;

export interface LoadStateDictOptions {
  /** When true (default), missing and unexpected keys are an error; shape mismatches always are. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export type StateDict = Record<string, Tensor>;

const NAME = /^[A-Za-z0-9_]+$/;

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) {
    throw new ModulePathError(`${kind} name must be letters, digits or _ (no dots), got "${name}"`);
  }
}

/**
 * The base of every layer, as torch.nn.Module: named parameters, buffers and sub-modules,
 * addressed by dotted paths (`encoder.layer.0.attention.self.query.weight`), a train/eval mode,
 * and state dicts with strict checking. Subclasses register what they own in their constructor
 * and define `forward`.
 *
 * A subclass may also keep a child in a field (`this.query = this.registerModule('query', ...)`):
 * `setSubmodule` updates every field of the parent that holds the replaced child, so adapter
 * injection reaches code that calls `this.query.forward(x)`.
 */
export abstract class Module {
  /** True in training mode (dropout active), false after `eval()`. */
  training = true;
  private readonly params = new Map<string, Parameter | null>();
  private readonly buffers = new Map<string, { tensor: Tensor; persistent: boolean }>();
  private readonly children = new Map<string, Module>();

  /** The computation; subclasses narrow the signature (a Linear takes and returns one Tensor). */
  abstract forward(...args: never[]): unknown;

  /**
   * Called on every module of the tree after `loadStateDict` wrote new values, so a module that
   * caches products of its tensors can drop them.
   */
  protected afterLoad(): void {}

  /** Registers (or replaces) a parameter; `null` declares an absent optional one (a Linear without bias). */
  protected registerParameter<T extends Parameter | null>(name: string, tensor: T): T {
    checkName('parameter', name);
    if (tensor) keep(tensor);
    this.params.set(name, tensor);
    return tensor;
  }

  /** Registers a non-trainable tensor (persistent ones are part of the state dict). */
  protected registerBuffer(name: string, tensor: Tensor, options: { persistent?: boolean } = {}): Tensor {
    checkName('buffer', name);
    keep(tensor);
    this.buffers.set(name, { tensor, persistent: options.persistent ?? true });
    return tensor;
  }

  /** Registers (or replaces) a child module. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    checkName('module', name);
    this.children.set(name, module);
    return module;
  }

  /** This module's own parameter by name (not a path), or undefined. */
  ownParameter(name: string): Parameter | null | undefined {
    return this.params.get(name);
  }

  /** Direct children in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  /** Every module of the tree, this one first (path ''), depth-first in registration order. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, path: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([path, m]);
      for (const [name, child] of m.children) walk(child, path ? `${path}.${name}` : name);
    };
    walk(this, prefix);
    return out;
  }

  /**
   * Every parameter with its dotted path; a tensor shared by two modules (tied weights) appears
   * once, under the first path, as in PyTorch.
   */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.params) {
        if (!p || seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer with its dotted path. */
  namedBuffers(prefix = ''): [string, Tensor, boolean][] {
    const out: [string, Tensor, boolean][] = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffers) out.push([path ? `${path}.${name}` : name, b.tensor, b.persistent]);
    }
    return out;
  }

  /** The module at a dotted path ('' is this module). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    const parts = path.split('.');
    return parts.reduce<Module>((m, part, i) => {
      const child = m.children.get(part);
      if (!child) {
        const at = parts.slice(0, i).join('.') || '<root>';
        throw new ModulePathError(
          `getSubmodule("${path}"): ${at} has no child "${part}"; its children are: ${[...m.children.keys()].join(', ') || '(none)'}`,
        );
      }
      return child;
    }, this);
  }

  /** Replaces the module at a dotted path (which must exist) and returns the one it replaced. */
  setSubmodule(path: string, module: Module): Module {
    const dot = path.lastIndexOf('.');
    const parent = this.getSubmodule(dot < 0 ? '' : path.slice(0, dot));
    const name = path.slice(dot + 1);
    const old = parent.children.get(name);
    if (!old) {
      throw new ModulePathError(`setSubmodule("${path}"): no module there to replace; children: ${[...parent.children.keys()].join(', ') || '(none)'}`);
    }
    parent.children.set(name, module);
    // keep fields that hold the old child pointing at the new one, whatever they are called
    const fields = parent as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) if (fields[key] === old) fields[key] = module;
    return old;
  }

  /** The parameter at a dotted path. */
  getParameter(path: string): Parameter {
    const dot = path.lastIndexOf('.');
    const owner = this.getSubmodule(dot < 0 ? '' : path.slice(0, dot));
    const p = owner.params.get(path.slice(dot + 1));
    if (!p) {
      throw new ModulePathError(`getParameter("${path}"): no such parameter; the module has: ${[...owner.params.keys()].join(', ') || '(none)'}`);
    }
    return p;
  }

  /** Sets the mode of this module and every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Marks every parameter trainable (or frozen with `false`). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted path (the tensors themselves, not copies). Tied
   * tensors appear under every path that owns them, as PyTorch's state_dict does.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [path, m] of this.namedModules()) {
      const pre = path ? `${path}.` : '';
      for (const [name, p] of m.params) if (p) out[pre + name] = p;
      for (const [name, b] of m.buffers) if (b.persistent) out[pre + name] = b.tensor;
    }
    return out;
  }

  /**
   * Copies values into this module's tensors in place (optimizers holding them stay valid). Every
   * shape is checked before anything is written; with `strict` (default) missing or unexpected
   * keys are an error too. The error lists every key and shape that does not fit.
   */
  loadStateDict(dict: StateDict | Map<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const entries = dict instanceof Map ? [...dict] : Object.entries(dict);
    const given = new Set(entries.map(([k]) => k));
    const missingKeys = Object.keys(own).filter((k) => !given.has(k));
    const unexpectedKeys = entries.map(([k]) => k).filter((k) => !(k in own));
    const shapeMismatches: string[] = [];
    for (const [k, v] of entries) {
      const target = own[k];
      if (target && shapeStr(target.shape) !== shapeStr(v.shape)) {
        shapeMismatches.push(`${k}: expected ${shapeStr(target.shape)}, got ${shapeStr(v.shape)}`);
      }
    }
    const problems: string[] = [];
    if (shapeMismatches.length) problems.push(`shape mismatches: ${listForMessage(shapeMismatches)}`);
    if (strict && missingKeys.length) problems.push(`missing keys: ${listForMessage(missingKeys)}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${listForMessage(unexpectedKeys)}`);
    if (problems.length) {
      throw new StateDictError(`loadStateDict: the state dict does not fit the module (${problems.join('; ')})`, {
        missingKeys: strict ? missingKeys : [],
        unexpectedKeys: strict ? unexpectedKeys : [],
        shapeMismatches,
      });
    }
    noGrad(() => {
      for (const [k, v] of entries) {
        const target = own[k];
        if (target) assign(target, v);
      }
    });
    for (const [, m] of this.namedModules()) m.afterLoad();
    return { missingKeys, unexpectedKeys };
  }
}

/** Children addressed by index ("0", "1", …), as torch.nn.ModuleList (`encoder.layer.3`). */
export class ModuleList<M extends Module = Module> extends Module {
  private count = 0;
  constructor(modules: readonly M[] = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this.registerModule(String(this.count++), m);
    return this;
  }

  get length(): number {
    return this.count;
  }

  /** The current module at index i (an adapter may have replaced the original). */
  get(i: number): M {
    return this.getSubmodule(String(i)) as M;
  }

  [Symbol.iterator](): Iterator<M> {
    let i = 0;
    return { next: () => (i < this.count ? { value: this.get(i++), done: false } : { value: undefined, done: true }) };
  }

  /** A list only holds modules; calling it is a mistake. */
  forward(): never {
    throw new ModulePathError('ModuleList has no forward: iterate over its modules');
  }
}
