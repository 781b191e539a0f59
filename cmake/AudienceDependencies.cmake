# Every dependency is a Debian bookworm package; scripts/install-deps installs them.
# audience-config.cmake repeats these calls through find_dependency.
find_package(roaring CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(Boost REQUIRED COMPONENTS iostreams)
find_package(ZLIB REQUIRED)
find_package(NLopt CONFIG REQUIRED)
find_package(Threads REQUIRED)
