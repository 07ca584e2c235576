// Host side of the device error word (device_errors.cu), callable from plain C++.
#pragma once

namespace neurec::cuda {

// Synchronises the stream, then throws std::out_of_range naming the kernel, the value and the
// bound if a kernel recorded a fault since the last call (and clears it).
void throw_if_device_error();

}  // namespace neurec::cuda
