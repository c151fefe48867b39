# Installing investflow and `make package` (a Debian 12 .deb through CPack).
#
# Layout (prefix /usr in the package): bin/investflow; share/investflow/workflows/ (the
# shipped definitions, calendars and scenarios, found relative to the binary: see
# workflows/loader.hpp share_directory()); the console is compiled into the binary; the
# systemd unit and its user; bash completion; /etc/investflow/investflow.yaml (a conffile).
# The build tree mirrors the layout: build/<preset>/share/investflow/workflows links to the
# source's workflows/, so a binary run from the build tree finds it the same way.
include(GNUInstallDirs)

file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/share/investflow)
file(CREATE_LINK ${PROJECT_SOURCE_DIR}/workflows ${PROJECT_BINARY_DIR}/share/investflow/workflows
     SYMBOLIC)

# cpack installs what is built; it does not build everything first (make package builds).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS investflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(part definitions calendars scenarios)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/workflows/${part}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/investflow/workflows
          FILES_MATCHING PATTERN "*.yaml")
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/packaging/investflow.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/investflow.sysusers
        DESTINATION lib/sysusers.d RENAME investflow.conf)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/investflow.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME investflow)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
              ${PROJECT_SOURCE_DIR}/docs/api.md ${PROJECT_SOURCE_DIR}/docs/workflow-language.md
              ${PROJECT_SOURCE_DIR}/docs/reports.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# An absolute path: /etc even though the prefix is /usr (the package is built with DESTDIR).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/investflow.yaml DESTINATION /etc/investflow)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME investflow)
set(CPACK_PACKAGE_VENDOR "investflow")
set(CPACK_PACKAGE_CONTACT "investflow maintainers <investflow@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "investment project workflows for a high-tech zone: engine, JSON API, web console")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)  # with CPACK_SET_DESTDIR, the prefix the files are installed under
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# Depends: from the libraries the binary links (dpkg-shlibdeps), e.g. libsqlite3-0,
# libyaml-cpp0.7, libsodium23, libminizip1, libcurl4, libjemalloc2, libfmt9.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/postinst ${PROJECT_SOURCE_DIR}/packaging/prerm
    ${PROJECT_SOURCE_DIR}/packaging/postrm ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
