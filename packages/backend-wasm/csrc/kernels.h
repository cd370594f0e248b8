/* The row and elementwise kernels other C files call (each is also exported to JavaScript). */
#ifndef EDORA_KERNELS_H
#define EDORA_KERNELS_H
#include <stdint.h>

void gelu_f32(const float *X, float *Y, int32_t n);
void gelu_backward_f32(const float *X, const float *DY, float *DX, int32_t n);
void softmax_f32(const float *X, float *Y, double *tmp, int32_t n, int32_t d);
void softmax_backward_f32(const float *Y, const float *DY, float *DX, int32_t n, int32_t d);
void philox_range(float *out, int32_t n, uint64_t offset, uint64_t seed, int32_t bernoulli, double low, double span, double p);
void dropout_range(const float *x, float *y, int32_t n, uint64_t offset, uint64_t seed, double keep, float scale);

#endif
