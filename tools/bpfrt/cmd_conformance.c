#include "tools/bpfrt/cli.h"
int cmd_conformance(struct cli *cli, int argc, char **argv) { (void)argc, (void)argv; return cli_error(cli, "not implemented"); }
