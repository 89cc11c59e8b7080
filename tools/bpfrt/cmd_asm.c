/* cmd_asm.c — STUB: `bpfrt asm` and `bpfrt disasm`. */
#include "tools/bpfrt/cli.h"
int cmd_asm(struct cli *cli, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_error(cli, "not implemented");
}
int cmd_disasm(struct cli *cli, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_error(cli, "not implemented");
}
