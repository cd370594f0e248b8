// A stand-in libcuda.so.1 for machines without a GPU (CI): the CUDA driver API functions the
// backend binds, on host memory. Modules are checked as the driver would take them (PTX text
// with its .version/.target, or an sm_XX cubin ELF) and every function asked for must be an
// entry of the loaded image; its body is the same csrc/ kernel compiled as C++ (kernel-table.cpp).
// Copies and launches run synchronously, which is one legal schedule of a CUDA stream.
//
// Settings (environment, read at cuInit):
//   EDORA_STANDIN_DEVICES  number of devices (default 1; 0 = "no CUDA-capable device")
//   EDORA_STANDIN_CC       compute capability as major·10 + minor (default 75)
//   EDORA_STANDIN_MEMORY   device memory in bytes (default 1 GiB): allocations beyond it fail with
//                          CUDA_ERROR_OUT_OF_MEMORY
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>

#include "host-shim.h"
#include "standin.h"

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;

enum : int {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
  CUDA_ERROR_LAUNCH_FAILED = 719,
};

namespace {
struct Module {
  std::string image;  // PTX text, or the cubin bytes up to what the lookups need
  bool cubin = false;
};
struct Function {
  standin::Body body;
};

bool initialized = false;
int devices = 1;
int cc = 75;
size_t memory_limit = size_t(1) << 30;
size_t memory_used = 0;
std::map<CUdeviceptr, size_t> allocations;
// a trapped kernel corrupts the context for good, as on a GPU: every later call reports it
CUresult sticky = CUDA_SUCCESS;
int context_tag = 1;
int stream_tag = 1;

long env_long(const char *name, long fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

CUresult check_ready() {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  return sticky;
}

CUresult allocate(CUdeviceptr *p, size_t bytes) {
  if (CUresult r = check_ready()) return r;
  if (!p) return CUDA_ERROR_INVALID_VALUE;
  if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
  if (memory_used + bytes > memory_limit) return CUDA_ERROR_OUT_OF_MEMORY;
  void *h = std::malloc(bytes);
  if (!h) return CUDA_ERROR_OUT_OF_MEMORY;
  // fresh device memory holds garbage on a GPU: make that visible to the tests here too
  std::memset(h, 0xcd, bytes);
  *p = reinterpret_cast<CUdeviceptr>(h);
  allocations[*p] = bytes;
  memory_used += bytes;
  return CUDA_SUCCESS;
}

CUresult release(CUdeviceptr p) {
  if (CUresult r = check_ready()) return r;
  auto it = allocations.find(p);
  if (it == allocations.end()) return CUDA_ERROR_INVALID_VALUE;
  memory_used -= it->second;
  allocations.erase(it);
  std::free(reinterpret_cast<void *>(p));
  return CUDA_SUCCESS;
}

// Whether [p, p + n) lies inside one live allocation: copies are checked (kernels' accesses are not).
bool inside(CUdeviceptr p, size_t n) {
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin()) return false;
  --it;
  return p >= it->first && p + n <= it->first + it->second;
}

// "sm_75" → 75
int sm_number(const char *s) { return std::atoi(s); }
}  // namespace

extern "C" {

CUresult cuInit(unsigned flags) {
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  devices = static_cast<int>(env_long("EDORA_STANDIN_DEVICES", 1));
  cc = static_cast<int>(env_long("EDORA_STANDIN_CC", 75));
  memory_limit = static_cast<size_t>(env_long("EDORA_STANDIN_MEMORY", 1L << 30));
  initialized = true;
  return devices > 0 ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

CUresult cuDriverGetVersion(int *v) {
  if (!v) return CUDA_ERROR_INVALID_VALUE;
  *v = 13000;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult e, const char **s) {
  static const std::map<int, const char *> names = {
      {0, "CUDA_SUCCESS"}, {1, "CUDA_ERROR_INVALID_VALUE"}, {2, "CUDA_ERROR_OUT_OF_MEMORY"},
      {3, "CUDA_ERROR_NOT_INITIALIZED"}, {100, "CUDA_ERROR_NO_DEVICE"}, {101, "CUDA_ERROR_INVALID_DEVICE"},
      {200, "CUDA_ERROR_INVALID_IMAGE"}, {201, "CUDA_ERROR_INVALID_CONTEXT"}, {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
      {218, "CUDA_ERROR_INVALID_PTX"}, {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"}, {400, "CUDA_ERROR_INVALID_HANDLE"},
      {500, "CUDA_ERROR_NOT_FOUND"}, {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"}, {719, "CUDA_ERROR_LAUNCH_FAILED"}};
  auto it = names.find(e);
  if (it == names.end()) return CUDA_ERROR_INVALID_VALUE;
  *s = it->second;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult e, const char **s) {
  if (e == CUDA_ERROR_LAUNCH_FAILED) {
    *s = "unspecified launch failure";
    return CUDA_SUCCESS;
  }
  return cuGetErrorName(e, s);
}

CUresult cuDeviceGetCount(int *n) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  *n = devices;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (ordinal < 0 || ordinal >= devices) return CUDA_ERROR_INVALID_DEVICE;
  *d = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (d < 0 || d >= devices) return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(len), "EDoRA stand-in (host CPU, sm_%d)", cc);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *v, int attribute, CUdevice d) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (d < 0 || d >= devices) return CUDA_ERROR_INVALID_DEVICE;
  switch (attribute) {
    case 1: *v = 1024; return CUDA_SUCCESS;    // MAX_THREADS_PER_BLOCK
    case 16: *v = 1; return CUDA_SUCCESS;      // MULTIPROCESSOR_COUNT: one host thread
    case 75: *v = cc / 10; return CUDA_SUCCESS; // COMPUTE_CAPABILITY_MAJOR
    case 76: *v = cc % 10; return CUDA_SUCCESS; // COMPUTE_CAPABILITY_MINOR
    case 115: *v = 1; return CUDA_SUCCESS;     // MEMORY_POOLS_SUPPORTED
    default: return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  if (d < 0 || d >= devices) return CUDA_ERROR_INVALID_DEVICE;
  *bytes = memory_limit;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) {
  if (CUresult r = check_ready()) return r;
  if (d < 0 || d >= devices) return CUDA_ERROR_INVALID_DEVICE;
  *ctx = &context_tag;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  return d >= 0 && d < devices ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult cuCtxSetCurrent(void *ctx) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  return ctx == &context_tag || ctx == nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUresult cuCtxSynchronize() { return check_ready(); }

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) {
  if (CUresult r = check_ready()) return r;
  *free_bytes = memory_limit - memory_used;
  *total = memory_limit;
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  if (CUresult r = check_ready()) return r;
  if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
  const auto *bytes = static_cast<const unsigned char *>(image);
  auto *m = new Module();
  if (std::memcmp(bytes, "\x7f" "ELF", 4) == 0) {
    // a cubin: EM_CUDA (190), and the SM it was built for in e_flags bits 8..15
    uint16_t machine;
    uint32_t flags;
    uint64_t shoff;
    uint16_t shentsize, shnum;
    std::memcpy(&machine, bytes + 18, 2);
    std::memcpy(&shoff, bytes + 40, 8);
    std::memcpy(&flags, bytes + 48, 4);
    std::memcpy(&shentsize, bytes + 58, 2);
    std::memcpy(&shnum, bytes + 60, 2);
    const int sm = static_cast<int>((flags >> 8) & 0xff);
    if (machine != 190) {
      delete m;
      return CUDA_ERROR_INVALID_IMAGE;
    }
    if (sm / 10 != cc / 10 || sm > cc) {
      delete m;
      return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    m->cubin = true;
    m->image.assign(reinterpret_cast<const char *>(bytes), shoff + static_cast<size_t>(shentsize) * shnum);
  } else {
    // PTX: NUL-terminated text with ".version X.Y" and ".target sm_NN"
    const char *text = static_cast<const char *>(image);
    const char *version = std::strstr(text, ".version ");
    const char *target = std::strstr(text, ".target sm_");
    if (!version || !target) {
      delete m;
      return CUDA_ERROR_INVALID_PTX;
    }
    const double v = std::atof(version + 9);
    if (v > 9.0 + 1e-9) {  // the ISA this driver version (13.0) reads
      delete m;
      return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    }
    if (sm_number(target + 11) > cc) {
      delete m;
      return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }
    m->image = text;
  }
  *module = m;
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(void *module) {
  if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
  delete static_cast<Module *>(module);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(void **fn, void *module, const char *name) {
  if (CUresult r = check_ready()) return r;
  const auto *m = static_cast<Module *>(module);
  if (!m || !fn || !name) return CUDA_ERROR_INVALID_VALUE;
  // the entry must be in the image the backend loaded, not merely in the stand-in's table
  const std::string needle = m->cubin ? std::string(".text.") + name + '\0' : std::string(".entry ") + name + '(';
  if (m->image.find(needle) == std::string::npos) return CUDA_ERROR_NOT_FOUND;
  for (const standin::Kernel *k = standin::kernels; k->name; k++) {
    if (std::strcmp(k->name, name) == 0) {
      *fn = new Function{k->body};
      return CUDA_SUCCESS;
    }
  }
  return CUDA_ERROR_NOT_FOUND;
}

CUresult cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared_bytes, void *stream, void **params, void **extra) {
  (void)stream;
  if (CUresult r = check_ready()) return r;
  if (!fn || !params || extra) return CUDA_ERROR_INVALID_VALUE;
  if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || gz > 65535) return CUDA_ERROR_INVALID_VALUE;
  if (static_cast<unsigned long long>(bx) * by * bz > 1024 || bz > 64) return CUDA_ERROR_INVALID_VALUE;
  if (shared_bytes != 0) return CUDA_ERROR_INVALID_VALUE;  // the kernels use static shared memory only
  standin::Launch launch{static_cast<Function *>(fn)->body, params, {gx, gy, gz}, {bx, by, bz}};
  if (!standin::run_launch(launch)) sticky = CUDA_ERROR_LAUNCH_FAILED;
  return CUDA_SUCCESS;  // a fault inside the kernel surfaces at the next synchronization, as on a GPU
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) { return allocate(p, bytes); }
CUresult cuMemFree_v2(CUdeviceptr p) { return release(p); }
CUresult cuMemAllocAsync(CUdeviceptr *p, size_t bytes, void *) { return allocate(p, bytes); }
CUresult cuMemFreeAsync(CUdeviceptr p, void *) { return release(p); }

CUresult cuDeviceGetDefaultMemPool(void **pool, CUdevice d) {
  if (CUresult r = check_ready()) return r;
  if (d < 0 || d >= devices) return CUDA_ERROR_INVALID_DEVICE;
  *pool = &context_tag;
  return CUDA_SUCCESS;
}

CUresult cuMemPoolSetAttribute(void *pool, int attribute, void *value) {
  if (CUresult r = check_ready()) return r;
  return pool && value && attribute >= 1 && attribute <= 8 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuMemAllocHost_v2(void **p, size_t bytes) {
  if (CUresult r = check_ready()) return r;
  *p = std::malloc(bytes ? bytes : 1);
  return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

CUresult cuMemFreeHost(void *p) {
  std::free(p);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *) {
  if (CUresult r = check_ready()) return r;
  if (n == 0) return CUDA_SUCCESS;
  if (!inside(dst, n)) return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(reinterpret_cast<void *>(dst), src, n);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *) {
  if (CUresult r = check_ready()) return r;
  if (n == 0) return CUDA_SUCCESS;
  if (!inside(src, n)) return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(dst, reinterpret_cast<const void *>(src), n);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *) {
  if (CUresult r = check_ready()) return r;
  if (n == 0) return CUDA_SUCCESS;
  if (!inside(dst, n) || !inside(src, n)) return CUDA_ERROR_INVALID_VALUE;
  std::memmove(reinterpret_cast<void *>(dst), reinterpret_cast<const void *>(src), n);
  return CUDA_SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n, void *) {
  if (CUresult r = check_ready()) return r;
  if (n == 0) return CUDA_SUCCESS;
  if (!inside(dst, n * 4)) return CUDA_ERROR_INVALID_VALUE;
  auto *p = reinterpret_cast<unsigned *>(dst);
  for (size_t i = 0; i < n; i++) p[i] = value;
  return CUDA_SUCCESS;
}

CUresult cuStreamCreate(void **stream, unsigned) {
  if (CUresult r = check_ready()) return r;
  *stream = &stream_tag;
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy_v2(void *) { return initialized ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED; }
CUresult cuStreamSynchronize(void *) { return check_ready(); }

// Events: work is already done when cuEventRecord returns; elapsed times are 0.
CUresult cuEventCreate(void **event, unsigned) {
  if (CUresult r = check_ready()) return r;
  *event = new int(0);
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(void *, void *) { return check_ready(); }
CUresult cuEventSynchronize(void *) { return check_ready(); }
CUresult cuEventElapsedTime(float *ms, void *, void *) {
  *ms = 0.f;
  return check_ready();
}
CUresult cuEventDestroy_v2(void *event) {
  delete static_cast<int *>(event);
  return CUDA_SUCCESS;
}

}  // extern "C"
