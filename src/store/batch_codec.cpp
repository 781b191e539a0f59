// Compiled-mode definitions for audience/store/batch_codec.h.
#include "audience/store/batch_codec.h"
#include "audience/store/batch_codec-inl.h"
