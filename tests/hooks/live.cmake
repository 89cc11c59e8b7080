# Live interface tests (src/hooks/afpacket.c, live.c, tap.c; `bpfrt net
# attach`), included from tests/hooks/CMakeLists.txt.
#   hooks.live_ring   the TPACKET_V3 frame walk on hand-built blocks (any
#                     user) and real rings on a private loopback (root)
#   hooks.live_csum   checksums finished for offloaded frames (any user)
#   hooks.live_cli    bad `net attach` input: clear errors, exit codes
#   hooks.netns_xdp   two namespaces talking through bpfrt on veth pairs
#                     (root + ip netns + ping, else skipped: 77)
find_program(LIVE_BPF_CLANG clang-19 DOC "clang for -target bpf (tests/hooks live)")
find_program(LIVE_BASH bash)
set(LIVE_OBJ_DIR ${CMAKE_CURRENT_BINARY_DIR}/live_obj)

add_executable(live_ring live_ring.c)
target_link_libraries(live_ring PRIVATE bpfrt_internal)
add_test(NAME hooks.live_ring COMMAND live_ring)
set_tests_properties(hooks.live_ring PROPERTIES TIMEOUT 30 LABELS hooks)

add_executable(live_csum live_csum.c)
target_link_libraries(live_csum PRIVATE bpfrt_internal)
add_test(NAME hooks.live_csum COMMAND live_csum)
set_tests_properties(hooks.live_csum PROPERTIES TIMEOUT 30 LABELS hooks)

add_executable(netns_tool netns_tool.c)

if(LIVE_BPF_CLANG)
  set(LIVE_OBJECTS)
  foreach(name netns_fw live_progs)
    set(out ${LIVE_OBJ_DIR}/${name}.o)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${LIVE_OBJ_DIR}
      COMMAND ${LIVE_BPF_CLANG} -O2 -g -target bpf -mcpu=v3 -Wall -Werror
              -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE} -c ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c -o ${out}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c
      COMMENT "clang-19 -target bpf ${name}.bpf.c"
      VERBATIM)
    list(APPEND LIVE_OBJECTS ${out})
  endforeach()
  add_custom_target(live_objects ALL DEPENDS ${LIVE_OBJECTS})
  add_dependencies(netns_tool live_objects)
endif()

if(LIVE_BASH)
  add_test(NAME hooks.live_cli
           COMMAND ${LIVE_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/live_cli.sh $<TARGET_FILE:bpfrt_tool> ${LIVE_OBJ_DIR}
                   $<TARGET_FILE:netns_tool>)
  set_tests_properties(hooks.live_cli PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 90 LABELS hooks)
endif()
if(LIVE_BASH AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/netns_xdp.sh)
  add_test(NAME hooks.netns_xdp
           COMMAND ${LIVE_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/netns_xdp.sh $<TARGET_FILE:bpfrt_tool>
                   $<TARGET_FILE:netns_tool> ${LIVE_OBJ_DIR})
  set_tests_properties(hooks.netns_xdp PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 90 LABELS hooks RUN_SERIAL TRUE)
endif()
