// Browser-safe file formats: everything here takes and returns bytes. File-system access lives in
// the Node entry (`@edora/tensor/node`).
export {
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type DecodableDType,
  type WritableDType,
} from './safetensors/dtype.js';
export {
  parseSafetensorsHeader,
  readHeaderLength,
  MAX_HEADER_LENGTH,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type ParseHeaderOptions,
} from './safetensors/header.js';
export { decodeTensorData, type DecodeContext } from './safetensors/decode.js';
export { readSafetensors, type SafetensorsTensor, type ReadSafetensorsOptions } from './safetensors/read.js';
export {
  writeSafetensors,
  layoutSafetensors,
  type SafetensorsWriteEntry,
  type SafetensorsLayout,
} from './safetensors/write.js';
