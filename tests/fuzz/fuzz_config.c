// SPDX-License-Identifier: MIT
/*
 * fuzz_config.c - libFuzzer target for mvm.conf parsing (cfg_load_string)
 *
 * The input is taken as the text of a config file named /etc/mvm/fuzz.conf.
 * Inputs that mention "include" are skipped: @include would make libconfig
 * open arbitrary host files (/dev/zero never ends), which tests the host,
 * not the parser. Besides not crashing, every result must be consistent:
 * valid networks have valid names and sane values, every error is a
 * "FILE:..." line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "mvmd/config.h"

#define FUZZ_NAME "/etc/mvm/fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks the text of a string token that arrives where its
 * grammar expects none (`a = 1 "y"`): bison discards the token without a
 * destructor. Not ours to fix; keep LeakSanitizer on for everything else.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void check(const struct cfg *c)
{
	size_t i, j;

	if (c->n_networks > CFG_MAX_NETWORKS || c->n_errors > CFG_MAX_ERRORS)
		abort();
	for (i = 0; i < c->n_errors; i++)
		if (strncmp(c->errors[i], FUZZ_NAME, strlen(FUZZ_NAME)) &&
		    strncmp(c->errors[i], "/etc/mvm/", 9))
			abort();
	for (i = 0; i < c->n_networks; i++) {
		const struct cfg_network *n = &c->networks[i];

		if (!name_valid(n->name) || n->n_labels > CFG_MAX_LABELS)
			abort();
		if (n->mtu && (n->mtu < CFG_MTU_MIN || n->mtu > CFG_MTU_MAX))
			abort();
		if (n->pcap_filter[0] && !n->pcap[0])
			abort();
		if (n->pcap[0] && n->pcap[0] != '/')
			abort();
		for (j = 0; n->has_subnet && j < i; j++)
			if (c->networks[j].has_subnet &&
			    cidr4_overlap(&n->subnet, &c->networks[j].subnet))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg c;
	char *text;

	if (size > CFG_FILE_MAX)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!strstr(text, "include")) {
		cfg_load_string(text, FUZZ_NAME, &c);
		check(&c);
		cfg_free(&c);
	}
	free(text);
	return 0;
}
