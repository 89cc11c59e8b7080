# Classic BPF tests (included by tests/hooks/CMakeLists.txt).
#
# hooks.cbpf_unit: checker rejections, the kernel's checker (SO_ATTACH_FILTER)
# as the verdict oracle, random programs against libpcap's bpf_filter on
# every engine, seccomp translation.
# hooks.filter_vs_tcpdump: bpfrt filter's output files against tcpdump -r -w
# for 50+ expressions on generated captures (skips, 77, without tcpdump).
# filter_gen also makes bench/filter_bench.sh's capture.
find_library(HOOKS_PCAP_LIB pcap)
if(HOOKS_PCAP_LIB)
  add_executable(test_cbpf ${CMAKE_CURRENT_LIST_DIR}/test_cbpf.c)
  target_link_libraries(test_cbpf PRIVATE bpfrt_internal ${HOOKS_PCAP_LIB})
  target_include_directories(test_cbpf PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  add_test(NAME hooks.cbpf_unit COMMAND test_cbpf)
endif()

add_executable(filter_gen ${CMAKE_CURRENT_LIST_DIR}/filter_gen.c)
# hooks.cbpf_pcap_oracle: per packet, pcap_offline_filter's result against
# the translation's (both flavours, every engine) for 37 expressions.
if(HOOKS_PCAP_LIB)
  add_executable(test_cbpf_pcap_oracle ${CMAKE_CURRENT_LIST_DIR}/test_cbpf_pcap_oracle.c)
  target_link_libraries(test_cbpf_pcap_oracle PRIVATE bpfrt_internal ${HOOKS_PCAP_LIB})
  target_include_directories(test_cbpf_pcap_oracle PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  add_test(NAME hooks.cbpf_pcap_oracle COMMAND test_cbpf_pcap_oracle $<TARGET_FILE:filter_gen>)
endif()
find_program(HOOKS_BASH bash)
if(HOOKS_BASH)
  add_test(NAME hooks.filter_vs_tcpdump
           COMMAND ${HOOKS_BASH} ${CMAKE_CURRENT_LIST_DIR}/test_filter_vs_tcpdump.sh
                   $<TARGET_FILE:bpfrt_tool> $<TARGET_FILE:filter_gen>)
  set_tests_properties(hooks.filter_vs_tcpdump PROPERTIES SKIP_RETURN_CODE 77)
endif()
