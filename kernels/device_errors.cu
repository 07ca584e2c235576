// The device error word: kernels that find bad data (an index out of range) record the first
// fault here; the host reads it at its next synchronising call and throws a message that says
// which kernel, which value and which bound.
#include <string>

#include "common.cuh"

namespace neurec::cuda {

__device__ DeviceError g_device_error;

DeviceError* device_error_slot() {
  static DeviceError* slot = [] {
    void* p = nullptr;
    CUDA_CHECK(cudaGetSymbolAddress(&p, g_device_error));
    return static_cast<DeviceError*>(p);
  }();
  return slot;
}

namespace {
const char* site_name(int site) {
  switch (site) {
    case kSiteGather: return "gather_fwd";
    case kSiteGatherBwd: return "gather_bwd";
    case kSiteSoftmaxCe: return "softmax_ce_fwd";
    case kSiteSparseAdam: return "sparse_adam_step";
    case kSiteTopk: return "topk_fwd";
    default: return "a CUDA kernel";
  }
}
}  // namespace

void throw_if_device_error() {
  DeviceError e{};
  CUDA_CHECK(cudaMemcpyAsync(&e, device_error_slot(), sizeof e, cudaMemcpyDeviceToHost, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
  if (e.kind == kNoError) return;
  DeviceError clear{};
  CUDA_CHECK(cudaMemcpyAsync(device_error_slot(), &clear, sizeof clear, cudaMemcpyHostToDevice, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
  if (e.kind == kRowsNotAscending)
    throw std::invalid_argument(std::string(site_name(e.site)) +
                                ": rows must be strictly ascending (coalesce them first), got " +
                                std::to_string(e.bound) + " then " + std::to_string(e.value) + " (found on the device)");
  const char* what = e.kind == kLabelOutOfRange ? "label" : "index";
  throw std::out_of_range(std::string(site_name(e.site)) + ": " + what + " " + std::to_string(e.value) +
                          " out of range [0, " + std::to_string(e.bound) + ") (found on the device)");
}

}  // namespace neurec::cuda
