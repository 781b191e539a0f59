// Compiled-mode definitions for audience/storage/dense_kernels.h.
#include "audience/storage/dense_kernels.h"
#include "audience/storage/dense_kernels-inl.h"
