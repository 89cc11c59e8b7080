# The frame runner and `bpfrt net run` (src/hooks/xdp.c, pcap_io.c,
# tools/bpfrt/cmd_net.c), included from tests/hooks/CMakeLists.txt.
#   hooks.xdp_<part>   the runner's limits, frames, verdicts, redirects, CPUs
#   hooks.net_run      the command on the demo's programs and a generated
#                      capture, and its errors (needs clang: else skipped)
#   kernel.xdp_lb_diff examples/xdp/lb.bpf.c through the host kernel's
#                      BPF_PROG_TEST_RUN and through bpfrt on every packet of
#                      a 20,000-packet capture: verdicts, frames and maps equal
add_executable(test_xdp test_xdp.c)
target_link_libraries(test_xdp PRIVATE bpfrt_internal Threads::Threads)
target_include_directories(test_xdp PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
foreach(part headroom tailroom frame verdicts redirect redirect_map tc cpu percpu bad)
  add_test(NAME hooks.xdp_${part} COMMAND test_xdp ${part})
  set_tests_properties(hooks.xdp_${part} PROPERTIES TIMEOUT 30 LABELS hooks)
endforeach()

add_test(NAME hooks.net_run
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_net_run.sh $<TARGET_FILE:bpfrt_tool>
          ${CMAKE_BINARY_DIR}/examples ${CMAKE_CURRENT_BINARY_DIR}/net_run_work)
set_tests_properties(hooks.net_run PROPERTIES TIMEOUT 60 LABELS hooks SKIP_RETURN_CODE 77)

# The acceptance differential (needs libbpf and the clang-built lb.o).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(XDP_LIBBPF QUIET IMPORTED_TARGET libbpf)
endif()
find_program(XDP_CLANG NAMES clang-19 clang DOC "clang for -target bpf (examples/)")
if(XDP_LIBBPF_FOUND AND XDP_CLANG)
  add_executable(xdp_lb_diff xdp_lb_diff.c)
  target_link_libraries(xdp_lb_diff PRIVATE bpfrt_internal PkgConfig::XDP_LIBBPF)
  target_include_directories(xdp_lb_diff PRIVATE ${CMAKE_SOURCE_DIR}/examples/xdp)
  add_dependencies(xdp_lb_diff examples_objects bpfrt_gen_capture)
  add_test(NAME kernel.xdp_lb_diff
    COMMAND sh -c "$0 $1/cap20k.pcap packets 20000 seed 3 && $2 $3 $1/cap20k.pcap 100"
            $<TARGET_FILE:bpfrt_gen_capture> ${CMAKE_CURRENT_BINARY_DIR} $<TARGET_FILE:xdp_lb_diff>
            ${CMAKE_BINARY_DIR}/examples/lb.o)
  set_tests_properties(kernel.xdp_lb_diff PROPERTIES TIMEOUT 120 LABELS "kernel;hooks" SKIP_RETURN_CODE 77)
endif()

# DEVMAP / DEVMAP_HASH and bpf_redirect(_map) against the host kernel.
add_executable(devmap_diff devmap_diff.c)
target_link_libraries(devmap_diff PRIVATE bpfrt_internal)
add_test(NAME kernel.devmap_diff COMMAND devmap_diff)
set_tests_properties(kernel.devmap_diff PROPERTIES TIMEOUT 30 LABELS "kernel;hooks" SKIP_RETURN_CODE 77)

# tc packet writes (bpf_skb_store_bytes, bpf_l3/l4_csum_replace) against the host kernel.
add_executable(skb_helpers_diff skb_helpers_diff.c)
target_link_libraries(skb_helpers_diff PRIVATE bpfrt_internal)
add_test(NAME kernel.skb_helpers_diff COMMAND skb_helpers_diff)
set_tests_properties(kernel.skb_helpers_diff PROPERTIES TIMEOUT 60 LABELS "kernel;hooks" SKIP_RETURN_CODE 77)
