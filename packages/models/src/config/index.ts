export { ConfigError } from './errors.js';
export {
  robertaConfig, parseRobertaConfig, robertaConfigToJson, withLabels, maxSequenceLength, type RobertaConfig,
} from './roberta-config.js';
