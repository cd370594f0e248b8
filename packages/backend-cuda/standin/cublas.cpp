// A stand-in libcublas for CI: the five entry points the backend binds, with a plain column-major
// reference GEMM on the stand-in driver's host-memory "device" pointers. It checks the arguments
// cuBLAS checks (leading dimensions, dims ≥ 0), so the backend's row-major → column-major mapping
// (operand swap, transposes, leading dims, batch strides) is exercised in CI; cuBLAS itself, its
// speed and TF32 are not.
#include <cstdint>

extern "C" {
using cublasStatus_t = int;
enum : int { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7 };
static int handle_tag;
static int math_mode;

cublasStatus_t cublasCreate_v2(void **handle) {
  *handle = &handle_tag;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy_v2(void *) { return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasSetStream_v2(void *, void *) { return CUBLAS_STATUS_SUCCESS; }
cublasStatus_t cublasSetMathMode(void *, int mode) {
  math_mode = mode;
  return CUBLAS_STATUS_SUCCESS;
}
// Not cuBLAS: lets the tests see which math mode the backend asked for (TF32 is opt-in).
int edora_standin_math_mode() { return math_mode; }

// C = α op(A) op(B) + β C, column-major; op(X) = X (0) or Xᵀ (1). β = 0 does not read C.
cublasStatus_t cublasSgemmStridedBatched(void *, int ta, int tb, int m, int n, int k, const float *alpha, const float *A,
                                         int lda, int64_t sa, const float *B, int ldb, int64_t sb, const float *beta, float *C,
                                         int ldc, int64_t sc, int batch) {
  if (m < 0 || n < 0 || k < 0 || batch < 0 || ta < 0 || ta > 1 || tb < 0 || tb > 1) return CUBLAS_STATUS_INVALID_VALUE;
  const int a_rows = ta ? k : m, b_rows = tb ? n : k;
  if (lda < (a_rows > 1 ? a_rows : 1) || ldb < (b_rows > 1 ? b_rows : 1) || ldc < (m > 1 ? m : 1)) return CUBLAS_STATUS_INVALID_VALUE;
  for (int p = 0; p < batch; p++) {
    const float *a = A + p * sa;
    const float *b = B + p * sb;
    float *c = C + p * sc;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int l = 0; l < k; l++) {
          const float x = ta ? a[l + (int64_t)i * lda] : a[i + (int64_t)l * lda];
          const float y = tb ? b[j + (int64_t)l * ldb] : b[l + (int64_t)j * ldb];
          s += (double)x * y;
        }
        float &out = c[i + (int64_t)j * ldc];
        out = (float)(*alpha * s + (*beta != 0.f ? *beta * (double)out : 0.0));
      }
    }
  }
  return CUBLAS_STATUS_SUCCESS;
}
}
