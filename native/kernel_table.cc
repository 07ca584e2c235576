// The registry every NR_KERNEL wrapper adds itself to; each addon exports what it holds.
#include "napi_util.h"

namespace neurec {

std::vector<KernelEntry>& kernel_table() {
  static std::vector<KernelEntry> table;
  return table;
}

}  // namespace neurec
