// Umbrella header: the whole public API of audience.
//
//   #include "audience/audience.h"
//   audience::Bitmap b = audience::Bitmap::Of({1, 2, 3});
#ifndef AUDIENCE_AUDIENCE_H_
#define AUDIENCE_AUDIENCE_H_

#include "audience/base/config.h"
#include "audience/storage/bitmap.h"

#endif  // AUDIENCE_AUDIENCE_H_
