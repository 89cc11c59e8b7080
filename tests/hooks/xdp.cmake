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
foreach(part headroom tailroom frame verdicts redirect tc cpu percpu bad)
  add_test(NAME hooks.xdp_${part} COMMAND test_xdp ${part})
  set_tests_properties(hooks.xdp_${part} PROPERTIES TIMEOUT 30 LABELS hooks)
endforeach()

add_test(NAME hooks.net_run
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_net_run.sh $<TARGET_FILE:bpfrt_tool>
          ${CMAKE_BINARY_DIR}/examples ${CMAKE_CURRENT_BINARY_DIR}/net_run_work)
set_tests_properties(hooks.net_run PROPERTIES TIMEOUT 60 LABELS hooks SKIP_RETURN_CODE 77)
