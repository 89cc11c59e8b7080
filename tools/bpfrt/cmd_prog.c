#include "tools/bpfrt/cli.h"
int cmd_prog(struct cli *cli, int argc, char **argv) { (void)argc, (void)argv; return cli_error(cli, "not implemented"); }
