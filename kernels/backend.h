// The CUDA build's answer to native/backend.h: CMake puts kernels/ before native/ on the
// include path, so the shared wrappers in native/bind/ call these launchers. Each header
// declares the same functions as its native/cpu/ twin, taking device pointers.
#pragma once
#include "batchnorm.h"
#include "dropout.h"
#include "elementwise.h"
#include "gather.h"
#include "init.h"
#include "linear.h"
#include "losses.h"
#include "optim.h"
#include "shape.h"
#include "topk.h"
#include "tower.h"

namespace backend = neurec::cuda;
