# Syscall tracer tests (src/hooks/trace*.c, bpfrt trace), included from
# tests/hooks/CMakeLists.txt.  The eBPF objects are the examples
# (examples/*.bpf.c) and trace_raw.bpf.c, compiled by clang-19 with libbpf's
# headers; trace_target is the traced C program.  Without clang-19, or
# where ptrace/seccomp are not permitted, the tests skip (77).
find_program(TRACE_BPF_CLANG clang-19 DOC "clang for -target bpf (tests/hooks trace)")
set(TRACE_OBJ_DIR ${CMAKE_CURRENT_BINARY_DIR}/trace_obj)
add_executable(trace_target trace_target.c)
target_link_libraries(trace_target PRIVATE Threads::Threads)
# The traced program is no code of ours: without sanitizers (LeakSanitizer
# ptrace-attaches to its own threads at exit, which a traced process can't).
target_compile_options(trace_target PRIVATE -fno-sanitize=all)
target_link_options(trace_target PRIVATE -fno-sanitize=all)
set(TRACE_OBJECTS)
if(TRACE_BPF_CLANG)
  set(TRACE_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/trace_raw.bpf.c ${CMAKE_CURRENT_SOURCE_DIR}/trace_override.bpf.c)
  foreach(name opensnoop execsnoop syscount policy)
    if(EXISTS ${CMAKE_SOURCE_DIR}/examples/${name}.bpf.c)
      list(APPEND TRACE_SOURCES ${CMAKE_SOURCE_DIR}/examples/${name}.bpf.c)
    endif()
  endforeach()
  foreach(src ${TRACE_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    set(out ${TRACE_OBJ_DIR}/${name}.bpf.o)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${TRACE_OBJ_DIR}
      COMMAND ${TRACE_BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -Wall -Werror
              -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE} -I${CMAKE_SOURCE_DIR}/examples -c ${src} -o ${out}
      DEPENDS ${src} ${CMAKE_SOURCE_DIR}/examples/syscall_tp.h
      COMMENT "clang-19 -target bpf ${name}.bpf.c"
      VERBATIM)
    list(APPEND TRACE_OBJECTS ${out})
  endforeach()
  add_custom_target(trace_objects ALL DEPENDS ${TRACE_OBJECTS})
endif()
add_executable(test_trace test_trace.c)
target_link_libraries(test_trace PRIVATE bpfrt_internal)
add_dependencies(test_trace trace_target)
if(TRACE_BPF_CLANG)
  add_dependencies(test_trace trace_objects)
endif()
foreach(case opensnoop raw)
  add_test(NAME hooks.trace_${case} COMMAND test_trace ${TRACE_OBJ_DIR} $<TARGET_FILE:trace_target> ${case})
  set_tests_properties(hooks.trace_${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 30 LABELS hooks)
endforeach()
add_test(NAME hooks.trace_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_trace_cli.sh $<TARGET_FILE:bpfrt_tool> ${TRACE_OBJ_DIR})
set_tests_properties(hooks.trace_cli PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS hooks)
add_test(NAME hooks.trace_policy COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_trace_policy.sh $<TARGET_FILE:bpfrt_tool> ${TRACE_OBJ_DIR})
set_tests_properties(hooks.trace_policy PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS hooks)
