# Uprobe tests (src/hooks/uprobe*.c), included from tests/hooks/CMakeLists.txt.
# uprobe_target is the traced C program (built with frame pointers, so
# bpf_get_stack can walk it); the eBPF objects are compiled by clang-19 with
# libbpf's headers (-D__TARGET_ARCH_x86 for PT_REGS_PARM*).  Without
# clang-19 or where ptrace is not permitted the tests skip (77).
find_program(HOOKS_BPF_CLANG clang-19 DOC "clang for -target bpf (tests/hooks)")
set(UPROBE_OBJ_DIR ${CMAKE_CURRENT_BINARY_DIR}/uprobe_obj)
add_executable(uprobe_target uprobe_target.c)
target_compile_options(uprobe_target PRIVATE -fno-omit-frame-pointer -O1)
target_link_libraries(uprobe_target PRIVATE Threads::Threads)
# The traced program stays uninstrumented in sanitizer builds: LeakSanitizer
# cannot run under ptrace (it fails the target's exit), and a sanitizer
# runtime would have to load before a preloaded agent.
if(BPFRT_SANITIZE OR BPFRT_TSAN OR BPFRT_FUZZ)
  target_compile_options(uprobe_target PRIVATE -fno-sanitize=all)
  target_link_options(uprobe_target PRIVATE -fno-sanitize=all)
endif()
set(UPROBE_OBJECTS)
if(HOOKS_BPF_CLANG)
  foreach(name uprobe_args helpers_trace uprobe_libc usdt_trace)
    set(out ${UPROBE_OBJ_DIR}/${name}.o)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${UPROBE_OBJ_DIR}
      COMMAND ${HOOKS_BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror
              -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE} -c ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c -o ${out}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c
      COMMENT "clang-19 -target bpf ${name}.bpf.c"
      VERBATIM)
    list(APPEND UPROBE_OBJECTS ${out})
  endforeach()
  add_custom_target(uprobe_objects ALL DEPENDS ${UPROBE_OBJECTS})
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HOOKS_LIBBPF QUIET IMPORTED_TARGET libbpf)
endif()
add_executable(test_uprobe test_uprobe.c)
target_link_libraries(test_uprobe PRIVATE bpfrt_internal)
if(HOOKS_LIBBPF_FOUND)
  target_link_libraries(test_uprobe PRIVATE PkgConfig::HOOKS_LIBBPF)
  target_compile_definitions(test_uprobe PRIVATE HOOKS_HAVE_LIBBPF=1)
endif()
add_dependencies(test_uprobe uprobe_target bpfrt_agent)
if(HOOKS_BPF_CLANG)
  add_dependencies(test_uprobe uprobe_objects)
endif()
# The agent part needs an uninstrumented agent and target: a sanitizer
# runtime must come first in a process, which LD_PRELOAD defeats.
if(BPFRT_SANITIZE OR BPFRT_TSAN OR BPFRT_FUZZ)
  add_test(NAME hooks.uprobe COMMAND test_uprobe ${UPROBE_OBJ_DIR} $<TARGET_FILE:uprobe_target>)
else()
  add_test(NAME hooks.uprobe COMMAND test_uprobe ${UPROBE_OBJ_DIR} $<TARGET_FILE:uprobe_target>
           $<TARGET_FILE:bpfrt_agent>)
endif()
set_tests_properties(hooks.uprobe PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS hooks)

# The tracing helpers (src/helpers/task.c, stack.c): bpfrt against the host
# kernel through libbpf when it is installed.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(HOOKS_LIBBPF QUIET IMPORTED_TARGET libbpf)
endif()
add_executable(test_helpers_trace test_helpers_trace.c)
target_link_libraries(test_helpers_trace PRIVATE bpfrt_internal)
if(HOOKS_LIBBPF_FOUND)
  target_link_libraries(test_helpers_trace PRIVATE PkgConfig::HOOKS_LIBBPF)
  target_compile_definitions(test_helpers_trace PRIVATE HOOKS_HAVE_LIBBPF=1)
endif()
add_dependencies(test_helpers_trace uprobe_target)
if(HOOKS_BPF_CLANG)
  add_dependencies(test_helpers_trace uprobe_objects)
endif()
add_test(NAME hooks.helpers_trace COMMAND test_helpers_trace ${UPROBE_OBJ_DIR} $<TARGET_FILE:uprobe_target>)
set_tests_properties(hooks.helpers_trace PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS "hooks;kernel")

# "Programs written for the kernel load unchanged": bootstrap_like.bpf.c
# against a vmlinux.h that bpftool dumps from the host kernel's BTF.
find_program(HOOKS_BPFTOOL bpftool PATHS /usr/sbin /sbin)
set(BOOTSTRAP_OBJ ${UPROBE_OBJ_DIR}/bootstrap_like.o)
if(HOOKS_BPF_CLANG AND HOOKS_BPFTOOL AND EXISTS /sys/kernel/btf/vmlinux)
  add_custom_command(OUTPUT ${BOOTSTRAP_OBJ}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${UPROBE_OBJ_DIR}
    COMMAND sh -c "${HOOKS_BPFTOOL} btf dump file /sys/kernel/btf/vmlinux format c > ${UPROBE_OBJ_DIR}/vmlinux.h"
    COMMAND ${HOOKS_BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror
            -I${UPROBE_OBJ_DIR} -c ${CMAKE_CURRENT_SOURCE_DIR}/bootstrap_like.bpf.c -o ${BOOTSTRAP_OBJ}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bootstrap_like.bpf.c
    COMMENT "bpftool vmlinux.h + clang-19 -target bpf bootstrap_like.bpf.c"
    VERBATIM)
  add_custom_target(bootstrap_like_object ALL DEPENDS ${BOOTSTRAP_OBJ})
endif()
add_executable(test_bootstrap_like test_bootstrap_like.c)
target_link_libraries(test_bootstrap_like PRIVATE bpfrt_internal)
if(TARGET bootstrap_like_object)
  add_dependencies(test_bootstrap_like bootstrap_like_object)
endif()
add_test(NAME hooks.bootstrap_like COMMAND test_bootstrap_like ${BOOTSTRAP_OBJ})
set_tests_properties(hooks.bootstrap_like PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS hooks)

# bpfrt trace running uprobe programs (tools/bpfrt/cmd_trace.c + the set).
if(BPFRT_SANITIZE OR BPFRT_TSAN OR BPFRT_FUZZ)
  set(UPROBE_CLI_AGENT "")
else()
  set(UPROBE_CLI_AGENT $<TARGET_FILE:bpfrt_agent>)
endif()
add_test(NAME hooks.uprobe_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_uprobe_cli.sh $<TARGET_FILE:bpfrt_tool>
         ${UPROBE_OBJ_DIR} $<TARGET_FILE:uprobe_target> ${UPROBE_CLI_AGENT})
set_tests_properties(hooks.uprobe_cli PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS "hooks;cli")
