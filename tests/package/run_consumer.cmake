# Script mode: builds and runs a consumer project. MODE is find_package
# (install BUILD_DIR into a private prefix first) or add_subdirectory.
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(here ${SOURCE_DIR}/tests/package)
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} -S ${here}/consumer -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
  run(${WORK_DIR}/build/consumer)
  run(${WORK_DIR}/build/consumer_header_only)
else()
  # This checks the wiring (targets, include paths, link), not the code, so
  # the library is built unoptimised and as a unity build: 40 s instead of
  # 95 s on two cores. It also keeps the sources unity-build safe.
  run(${CMAKE_COMMAND} -S ${here}/subdir_consumer -B ${WORK_DIR}/build
      -G ${GENERATOR} -DAUDIENCE_SOURCE_DIR=${SOURCE_DIR} -DCMAKE_BUILD_TYPE= -DCMAKE_UNITY_BUILD=ON)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
  run(${WORK_DIR}/build/consumer)
endif()
