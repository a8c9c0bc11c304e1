// SPDX-License-Identifier: MIT
/* cmd_run.c - mvm run: option parsing; supervise.c does the running */
#include "cli/cli.h"
#include "cli/supervise.h"
#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char run_help[] =
	"Usage: mvm run [OPTIONS] [--] [CMD [ARG...]]\n\n"
	"Run CMD in a new guest attached to one or more networks.\n\n"
	"Guest kinds:\n"
	"  --netns            a namespace guest: CMD runs as you (root inside) in a\n"
	"                     new user, network, mount and UTS namespace whose\n"
	"                     interfaces eth0, eth1, ... are ports on the networks\n"
	"  (default)          a microVM: needs the VMM, which is not available yet\n\n"
	"Options:\n"
	"  --name NAME        guest name, also its host name and DNS name\n"
	"                     (default: generated)\n"
	"  --alias NAME       another DNS name of the guest on its networks\n"
	"                     (repeatable; guests sharing one are answered in turn)\n"
	"  --network NET      attach to NET (repeatable, in order: eth0, eth1, ...;\n"
	"                     default: the 'default' network)\n"
	"  -d, --detach       run in the background and print the guest's name;\n"
	"                     output goes to the guest's log ('mvm logs NAME')\n"
	"  --rm               remove the guest when CMD exits\n"
	"  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT[/udp|/tcp]\n"
	"                     forward HOSTIP:HOSTPORT on the host to GUESTPORT of\n"
	"                     the guest's address on its first network (repeatable).\n"
	"                     HOSTIP defaults to 127.0.0.1 (this host only); give\n"
	"                     0.0.0.0 to accept connections from other machines.\n"
	"                     The protocol is tcp unless /udp is given. mvmd binds\n"
	"                     the port when the guest is created and releases it\n"
	"                     when the guest exits; a port another guest publishes\n"
	"                     or something else on the host holds is an error, and\n"
	"                     no guest is created. Works on internal networks too.\n"
	"                     Clients keep their own source address in the guest.\n"
	"  -h, --help         print this help\n\n"
	"microVM options (not available yet): --cpus N, --memory SIZE, --kernel FILE,\n"
	"--initrd FILE, --disk FILE.\n\n"
	"CMD defaults to $SHELL (else /bin/sh). In the foreground CMD has the\n"
	"terminal, and mvm exits with CMD's exit status (128+N if killed by\n"
	"signal N; 126 if CMD cannot be executed, 127 if it is not found).\n";

/**
 * cmd_run() - mvm run [--netns] [--name N] [--alias A]... [--network NET]...
 *	       [-p [IP:]HOSTPORT:GUESTPORT[/udp]]... [-d] [--rm] -- CMD
 * @ctx, @argc, @argv:	as every command; argv[0] is "run"
 * Return: the exit status (CMD's in the foreground)
 */
int cmd_run(struct cli_ctx *ctx, int argc, char **argv)
{
	enum { O_NAME = 256, O_ALIAS, O_NETWORK, O_RM, O_NETNS, O_VMOPT };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "alias", required_argument, NULL, O_ALIAS },
		{ "network", required_argument, NULL, O_NETWORK },
		{ "net", required_argument, NULL, O_NETWORK },
		{ "detach", no_argument, NULL, 'd' },
		{ "rm", no_argument, NULL, O_RM },
		{ "netns", no_argument, NULL, O_NETNS },
		{ "publish", required_argument, NULL, 'p' },
		{ "cpus", required_argument, NULL, O_VMOPT },
		{ "memory", required_argument, NULL, O_VMOPT },
		{ "kernel", required_argument, NULL, O_VMOPT },
		{ "initrd", required_argument, NULL, O_VMOPT },
		{ "disk", required_argument, NULL, O_VMOPT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { 0 };
	const char *vmopt = NULL;
	char *shell_argv[2], why[128];
	int c, li = 0, netns = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dhp:", opts, &li)) != -1) {
		switch (c) {
		case O_NAME:
			if (!name_valid(optarg))
				return cli_usage_error("run", "invalid guest name '%s': use 1-63 of a-z, 0-9 and '-', not at either end",
						       optarg);
			o.name = optarg;
			break;
		case O_ALIAS:
			if (!name_valid(optarg))
				return cli_usage_error("run", "invalid alias '%s': use 1-63 of a-z, 0-9 and '-', not at either end",
						       optarg);
			if (o.n_aliases == RUN_MAX_ALIASES)
				return cli_usage_error("run", "at most %d aliases per guest",
						       RUN_MAX_ALIASES);
			o.aliases[o.n_aliases++] = optarg;
			break;
		case O_NETWORK:
			if (strchr(optarg, ','))
				return cli_usage_error("run", "--network %s: per-network options (mac=, ip=) are not supported yet",
						       optarg);
			if (o.n_networks == RUN_MAX_NETWORKS)
				return cli_usage_error("run", "at most %d networks per guest",
						       RUN_MAX_NETWORKS);
			o.networks[o.n_networks++] = optarg;
			break;
		case 'd':
			o.detach = 1;
			break;
		case O_RM:
			o.auto_remove = 1;
			break;
		case O_NETNS:
			netns = 1;
			break;
		case 'p':
			if (o.n_publish == RUN_MAX_PUBLISH)
				return cli_usage_error("run", "at most %d --publish per guest",
						       RUN_MAX_PUBLISH);
			if (cli_pub_parse(optarg, &o.publish[o.n_publish], why,
					  sizeof(why)))
				return cli_usage_error("run", "--publish %s: expected "
						       CLI_PUB_SYNTAX " (%s)", optarg, why);
			o.n_publish++;
			break;
		case O_VMOPT:
			vmopt = opts[li].name;
			break;
		case 'h':
			fputs(run_help, stdout);
			return 0;
		default:
			return cli_bad_option("run", argv);
		}
	}
	if (!netns)
		return cli_error("microVM guests need the VMM (mvm-vmm), which is not available yet; "
				 "use --netns to run the command in a namespace guest instead");
	if (vmopt)
		return cli_error("--%s applies to microVM guests only, not to --netns guests",
				 vmopt);
	if (optind < argc) {
		o.argv = argv + optind;
	} else {
		const char *sh = getenv("SHELL");

		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		shell_argv[1] = NULL;
		o.argv = shell_argv;
	}
	return supervise_run(ctx, &o);
}
