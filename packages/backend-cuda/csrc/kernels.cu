// The one translation unit nvcc compiles (scripts/build-kernels.sh) and the stand-in driver
// compiles as C++ (scripts/build-standin.sh): every kernel file of the backend, one module.
#include "elementwise.cu"
#include "reduce.cu"
#include "gemm.cu"
#include "rows.cu"
#include "random.cu"
#include "softmax.cu"
#include "layernorm.cu"
#include "optim.cu"
