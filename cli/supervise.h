/* SPDX-License-Identifier: MIT */
/*
 * supervise.h - running a namespace guest: create it in mvmd, start the
 * namespace child, attach its taps, hold the lifeline, reattach after a
 * daemon restart, report the exit status; and -d (the same, detached)
 */
#ifndef MVM_CLI_SUPERVISE_H
#define MVM_CLI_SUPERVISE_H

#include <stddef.h>

#include "cli/publish.h"

struct cli_ctx;

#define RUN_MAX_NETWORKS 8	/* == NETNS_MAX_IFACES */
#define RUN_MAX_ALIASES 16	/* == GUEST_ALIASES_MAX (mvmd/guest.h) */
#define RUN_MAX_PUBLISH 32	/* == PUB_MAX (mvmd/publish.h) */

/** struct run_opts - what `mvm run --netns` was asked for */
struct run_opts {
	const char *name;			/* NULL: mvmd picks one */
	const char *networks[RUN_MAX_NETWORKS];	/* in order; none: default */
	size_t n_networks;
	const char *aliases[RUN_MAX_ALIASES];	/* extra DNS names */
	size_t n_aliases;
	struct cli_pub publish[RUN_MAX_PUBLISH];	/* --publish, in order */
	size_t n_publish;
	char **argv;				/* the command, NULL-terminated */
	int detach;				/* -d */
	int auto_remove;			/* --rm */
};

/**
 * supervise_run() - run a namespace guest to completion (or start it, -d)
 * @ctx:	global options
 * @o:		the request
 * Prints its own messages ("mvm: ..." on stderr; the name on stdout for
 * -d). Nothing half-created is left in mvmd when it fails.
 * Return: the exit status for mvm: the command's (WEXITSTATUS, or 128 +
 *	   signal), 126/127 when it cannot be executed, 1 on other failures;
 *	   with -d, 0 once the command runs
 */
int supervise_run(struct cli_ctx *ctx, const struct run_opts *o);

#endif
