/**
 * WebGPU's flag constants as numbers: the GPUBufferUsage / GPUShaderStage / GPUMapMode globals
 * exist in browsers but not in Node unless the `webgpu` package's globals are installed, and the
 * values are fixed by the specification.
 */
export const BUFFER_MAP_READ = 0x0001;
export const BUFFER_COPY_SRC = 0x0004;
export const BUFFER_COPY_DST = 0x0008;
export const BUFFER_UNIFORM = 0x0040;
export const BUFFER_STORAGE = 0x0080;
export const SHADER_STAGE_COMPUTE = 0x4;
export const MAP_MODE_READ = 0x0001;
