// The kernel namespace the N-API wrappers in native/bind/ call. The CPU addon resolves this
// header here; the CUDA build puts kernels/ first on the include path, so the very same
// wrappers call neurec::cuda instead (kernels/backend.h). One set of argument checks, two
// backends.
#pragma once
#include "cpu/batchnorm.h"
#include "cpu/dropout.h"
#include "cpu/elementwise.h"
#include "cpu/gather.h"
#include "cpu/init.h"
#include "cpu/linear.h"
#include "cpu/losses.h"
#include "cpu/optim.h"
#include "cpu/shape.h"
#include "cpu/topk.h"
#include "cpu/tower.h"

namespace backend = neurec::cpu;
