import type { Module } from '@edora/layers';
import { withLabels, type RobertaConfig } from '../config/roberta-config.js';
import { RobertaForMaskedLM } from '../roberta/masked-lm.js';
import { RobertaModel } from '../roberta/model.js';
import type { RobertaBuildOptions } from '../roberta/options.js';
import { RobertaForSequenceClassification } from '../roberta/sequence-classification.js';
import { loadWeights, type LoadReport, type LoadWeightsOptions } from './load.js';
import { preflightLoad } from './preflight.js';
import type { TensorSource } from './source.js';

/** Which model to build around the encoder. */
export type RobertaTask = 'sequence-classification' | 'masked-lm' | 'encoder';

export type RobertaModelFor<T extends RobertaTask> = T extends 'masked-lm'
  ? RobertaForMaskedLM
  : T extends 'encoder'
    ? RobertaModel
    : RobertaForSequenceClassification;

export interface PretrainedOptions<T extends RobertaTask = 'sequence-classification'>
  extends RobertaBuildOptions,
    Omit<LoadWeightsOptions, 'numHiddenLayers'> {
  /** Default 'sequence-classification'. */
  task?: T;
  /**
   * Elements of parameters the checkpoint lacks (a new head; with allowMissing, any weight) that
   * the load may create, checked with every shape before anything is allocated. Default 2^25.
   */
  maxNewParameters?: number;
  /** Head size for sequence classification (1 = regression); default: the config's. */
  numLabels?: number;
  id2label?: Record<string, string>;
}

export interface Pretrained<M> {
  model: M;
  config: RobertaConfig;
  report: LoadReport;
}

/** The HF `architectures` name of a model, for config.json. */
export function architectureOf(model: Module): string {
  if (model instanceof RobertaForSequenceClassification) return 'RobertaForSequenceClassification';
  if (model instanceof RobertaForMaskedLM) return 'RobertaForMaskedLM';
  return 'RobertaModel';
}

/**
 * Builds a model for `task` from a config and loads a checkpoint into it (browser-safe: the
 * source may be in-memory bytes). As HF's from_pretrained: heads missing from the checkpoint are
 * freshly initialized and reported, the model is returned in eval mode.
 *
 * Before anything is allocated, the config is checked against the checkpoint's header (every
 * shape, the layer count, and what would be created fresh, see `preflightLoad`): config.json is
 * small and may come from anyone, and must not cost gigabytes before a shape error.
 *
 * The model is built without any init (every parameter allocated once, zero-filled) and each
 * tensor is streamed straight into its parameter, so loading holds one copy of the weights plus
 * one chunk and draws no random numbers; only what the checkpoint lacks then gets HF's init
 * (with `seed`, the values a seeded constructor would give it).
 */
export async function loadPretrainedRoberta<T extends RobertaTask = 'sequence-classification'>(
  config: RobertaConfig,
  source: TensorSource,
  options: PretrainedOptions<T> = {},
): Promise<Pretrained<RobertaModelFor<T>>> {
  const task: RobertaTask = options.task ?? 'sequence-classification';
  const cfg = options.numLabels !== undefined ? withLabels(config, options.numLabels, options.id2label) : config;
  preflightLoad(cfg, task, source, options);
  const build = { dtype: options.dtype, backend: options.backend, initWeights: false };
  const model =
    task === 'masked-lm' ? new RobertaForMaskedLM(cfg, build) : task === 'encoder' ? new RobertaModel(cfg, build) : new RobertaForSequenceClassification(cfg, build);
  const report = await loadWeights(model.namedParameters(), source, {
    allowMissing: options.allowMissing,
    strict: options.strict,
    chunkBytes: options.chunkBytes,
    numHiddenLayers: cfg.numHiddenLayers,
  });
  const fresh = [...report.newlyInitialized, ...report.missing];
  if (fresh.length > 0) model.initWeights(options.seed, new Set(fresh.map((name) => model.getParameter(name))));
  model.eval();
  return { model: model as RobertaModelFor<T>, config: cfg, report };
}
