// SPDX-License-Identifier: MIT
/*
 * main.c - mvm, the command line client: global options and dispatch
 *
 * mvm is stateless: every command talks to mvmd over its control socket
 * (docs/control-protocol.md), starting mvmd first when none is running.
 * docs/mvm.md is the reference manual.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** struct command - one top-level command */
struct command {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "system", cmd_system, "Start, stop or query the mvmd daemon" },
	{ "network", cmd_network, "Create, list, inspect, remove and capture networks" },
	{ "run", cmd_run, "Run a command in a new guest" },
	{ "ps", cmd_ps, "List guests" },
	{ "inspect", cmd_inspect, "Show guests in detail (JSON)" },
	{ "logs", cmd_logs, "Show the output of a detached guest" },
	{ "stop", cmd_stop, "Stop guests (SIGTERM, then SIGKILL)" },
	{ "kill", cmd_kill, "Send a signal to guests" },
	{ "rm", cmd_rm, "Remove guests" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: mvm [--config FILE] COMMAND [ARG...]\n"
		"       mvm --version | --help\n"
		"\n"
		"Rootless microVMs and namespace guests on userspace virtual networks.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration file handed to mvmd when mvm starts it\n"
		"                     (default: $XDG_CONFIG_HOME/mvm/mvm.conf, /etc/mvm/mvm.conf)\n"
		"  -V, --version      print the version and exit\n"
		"  -h, --help         print this help and exit\n"
		"\n"
		"Run 'mvm COMMAND --help' for a command's options; see docs/mvm.md.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_ctx ctx = { .prog = "mvm" };
	const char *name;
	size_t i;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config = optarg;
			break;
		case 'V':
			printf("mvm %s\n", MVM_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt == 'c' || (argv[optind - 1] &&
			    !strcmp(argv[optind - 1], "--config")))
				fprintf(stderr, "mvm: --config needs a FILE\n");
			else
				fprintf(stderr, "mvm: unknown option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "See 'mvm --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (!strcmp(name, "help")) {
		if (optind + 1 < argc) {
			/* mvm help CMD == mvm CMD --help */
			char *hargv[] = { argv[optind + 1], "--help", NULL };

			for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(commands[i].name, hargv[0])) {
					optind = 0;
					return commands[i].fn(&ctx, 2, hargv);
				}
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "version")) {
		printf("mvm %s\n", MVM_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i].name, name)) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* reinitialise getopt for the command */
			return commands[i].fn(&ctx, argc, argv);
		}
	}
	fprintf(stderr, "mvm: unknown command '%s'\nSee 'mvm --help'.\n", name);
	return EXIT_USAGE;
}
