// Registers every backend package this repository has, so each test that iterates
// registeredBackends() also runs on them (the cpu backend is always registered by @edora/tensor).
import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
