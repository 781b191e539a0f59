// Compiled-mode definitions for audience/store/write_ahead_log.h.
#include "audience/store/write_ahead_log.h"
#include "audience/store/write_ahead_log-inl.h"
