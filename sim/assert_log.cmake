# lpu_assert_log: the vl_stop that records which assertion failed (sim/assert_log.hpp), and
# lpu_verilated_assert_log(<target>), which every target that verilate() adds verilated.cpp to must call: it
# compiles that copy with VL_USER_STOP (so Verilator's own vl_stop is left out) and links the replacement. All
# verilated libraries of one executable must agree, or two vl_stop definitions meet at link time.
if(NOT TARGET lpu_assert_log)
  get_filename_component(_lpu_assert_root ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
  add_library(lpu_assert_log STATIC ${_lpu_assert_root}/sim/assert_log.cpp)
  target_include_directories(lpu_assert_log PUBLIC ${_lpu_assert_root})
  target_include_directories(lpu_assert_log SYSTEM PRIVATE ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(lpu_assert_log PRIVATE LPU_SOURCE_ROOT="${_lpu_assert_root}")
  if(TARGET lpu_warnings)
    target_link_libraries(lpu_assert_log PRIVATE lpu_warnings)
  else()
    target_compile_options(lpu_assert_log PRIVATE -Wall -Wextra)
  endif()

  function(lpu_verilated_assert_log target)
    target_compile_definitions(${target} PRIVATE VL_USER_STOP)
    target_link_libraries(${target} PUBLIC lpu_assert_log)
  endfunction()
endif()
