include(CMakePackageConfigHelpers)

set(AUDIENCE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/audience)
install(TARGETS audience audience_header_only EXPORT audience-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/audience
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT audience-targets NAMESPACE audience::
        FILE audience-targets.cmake DESTINATION ${AUDIENCE_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/audience-config.cmake.in
  ${PROJECT_BINARY_DIR}/audience-config.cmake
  INSTALL_DESTINATION ${AUDIENCE_CMAKE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/audience-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/audience-config.cmake
              ${PROJECT_BINARY_DIR}/audience-config-version.cmake
        DESTINATION ${AUDIENCE_CMAKE_DIR})
