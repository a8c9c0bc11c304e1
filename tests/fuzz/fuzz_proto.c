// SPDX-License-Identifier: MIT
/*
 * fuzz_proto.c - mvmd's control requests: parsing, dispatch, every op's
 * argument validation, against a whole daemon context
 *
 * The input is split at newlines; each line is one request message given
 * to ctl_dispatch() in order (so an input can create a network, put a
 * guest on it and remove both). The daemon context lives in a temporary
 * directory, never writes state.json and is trimmed between inputs so
 * that a long fuzzing run stays bounded. Requests come without a
 * connection and without descriptors: nothing can attach a tap, so no
 * guest ever runs and no real process is ever signalled.
 */
#include "fuzz_netns.h"

#include "mvmd/control.h"
#include "mvmd/guest.h"
#include "mvmd/mvmd.h"
#include "mvmd/network.h"
#include "common/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct mvmd *fuzz_d;
static char fuzz_dir[64];

static void fuzz_fini(void)
{
	char cmd[128];

	mvmd_fini(fuzz_d);
	free(fuzz_d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

/*
 * guest.create binds published ports: do it where nothing real listens
 * or connects (see fuzz_netns.h). Without a namespace, publish requests
 * still bind, but only on addresses the fuzzer gives, for an instant.
 */
static void fuzz_isolate(void)
{
	static int done;

	if (done++)
		return;
	if (!fuzz_netns())
		fprintf(stderr, "fuzz_proto: no private network namespace\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_isolate();
	return 0;
}

static struct mvmd *fuzz_daemon(void)
{
	struct mvmd_opts o = { .config_path = "", .no_persist = 1 };
	char run[128], state[128], err[256];

	if (fuzz_d)
		return fuzz_d;
	fuzz_isolate();		/* the replay has no LLVMFuzzerInitialize */
	log_init(NULL, LOG_LVL_ERR, 0);
	strcpy(fuzz_dir, "/tmp/mvmd-fuzz.XXXXXX");
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(run, sizeof(run), "%s/run", fuzz_dir);
	snprintf(state, sizeof(state), "%s/state", fuzz_dir);
	o.runtime_dir = run;
	o.state_dir = state;
	fuzz_d = calloc(1, sizeof(*fuzz_d));
	if (!fuzz_d || mvmd_init(fuzz_d, &o, err, sizeof(err))) {
		fprintf(stderr, "mvmd_init: %s\n", err);
		abort();
	}
	atexit(fuzz_fini);
	return fuzz_d;
}

/* keep the registries small across millions of inputs */
static void trim(struct mvmd *d)
{
	size_t i;

	d->stopping = 0;
	d->stop_killed = 0;
	d->quit = 0;
	if (d->n_guests > 16)
		while (d->n_guests)
			guest_remove(d, d->guests[0]);
	if (d->n_nets <= 8)
		return;
	for (i = d->n_nets; i-- > 0;) {
		struct network *n = d->nets[i];
		struct json_object *g = net_guests(d, n);

		if (n->source == NET_SRC_CLI && !json_object_array_length(g))
			net_destroy(d, n);
		json_object_put(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mvmd *d = fuzz_daemon();
	const char *p = (const char *)data, *end = p + size;

	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct json_object *r = ctl_dispatch(d, NULL, p, len, NULL, 0);

		if (!r || !json_object_is_type(r, json_type_object))
			abort();	/* every request without a client is answered */
		json_object_put(r);
		if (!nl)
			break;
		p = nl + 1;
	}
	trim(d);
	return 0;
}
