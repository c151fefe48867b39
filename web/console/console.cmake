# The web console: every file under web/console/public plus the vendored ECharts build
# (from node_modules, installed by `npm ci` from the committed package-lock.json) is
# embedded in the binary by investflow_console, each with an ETag computed at build time.
# `investflow serve` serves this set unless --static-dir overrides files from a directory.
set(console_dir ${CMAKE_CURRENT_LIST_DIR})
file(GLOB_RECURSE console_public CONFIGURE_DEPENDS ${console_dir}/public/*)
set(console_echarts ${console_dir}/node_modules/echarts/dist/echarts.esm.min.js)

find_program(INVESTFLOW_NPM npm)
if(INVESTFLOW_NPM)
  # Re-run `npm ci` whenever the lock changes; --prefer-offline uses npm's cache first.
  add_custom_command(
    OUTPUT ${console_echarts}
    COMMAND ${INVESTFLOW_NPM} ci --prefer-offline --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${console_echarts}
    WORKING_DIRECTORY ${console_dir}
    DEPENDS ${console_dir}/package.json ${console_dir}/package-lock.json
    COMMENT "npm ci (web console libraries)"
    VERBATIM)
  set(console_vendor "/vendor/echarts.esm.min.js=${console_echarts}")
elseif(EXISTS ${console_echarts})
  set(console_vendor "/vendor/echarts.esm.min.js=${console_echarts}")
else()
  message(WARNING "npm not found and web/console/node_modules missing: the console is built "
                  "without charts (run scripts/install-deps.sh with INVESTFLOW_BROWSER_TESTS=1)")
  set(console_vendor "")
  set(console_echarts "")
endif()

set(console_entries "")
foreach(file ${console_public})
  file(RELATIVE_PATH relative ${console_dir}/public ${file})
  list(APPEND console_entries "/${relative}=${file}")
endforeach()
if(console_vendor)
  list(APPEND console_entries ${console_vendor})
endif()

set(console_generated ${CMAKE_CURRENT_BINARY_DIR}/console_assets.cpp)
string(REPLACE ";" "|" console_entry_arg "${console_entries}")
add_custom_command(
  OUTPUT ${console_generated}
  COMMAND ${CMAKE_COMMAND} "-DENTRIES=${console_entry_arg}" -DOUTPUT=${console_generated}
          -P ${console_dir}/embed_console.cmake
  DEPENDS ${console_public} ${console_echarts} ${console_dir}/embed_console.cmake
  COMMENT "Embedding the web console"
  VERBATIM)

add_library(investflow_console STATIC ${console_generated})
target_include_directories(investflow_console PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(investflow_console PUBLIC investflow_web)
