// Uses the public API the way an embedding application would.
#include <cstdio>

#include "audience/audience.h"

int main() {
  audience::Bitmap women = audience::Bitmap::Of({1, 5, 9});
  audience::Bitmap fashion = audience::Bitmap::FromRange(0, 6);
  if (women.AndCardinality(fashion) != 2) return 1;
  std::printf("audience %d.%d.%d consumer ok\n", AUDIENCE_VERSION_MAJOR,
              AUDIENCE_VERSION_MINOR, AUDIENCE_VERSION_PATCH);
  return 0;
}
