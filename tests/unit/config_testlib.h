/* SPDX-License-Identifier: MIT */
/*
 * config_testlib.h - shared helpers of the config parser's unit tests
 * (test_config.c, test_config_nat.c): load a config from a string under
 * one fixed file name, check an error's "FILE:LINE: key" prefix, find a
 * network by name. Included by one test program each (static functions).
 */
#ifndef MVM_CONFIG_TESTLIB_H
#define MVM_CONFIG_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mvmd/config.h"

#define NAME "/etc/mvm/t.conf"

const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token that arrives where its grammar expects
 * none (test_syntax_error has one): keep LeakSanitizer on for the rest.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* parse @text as the file NAME; the parse itself must succeed */
static inline struct cfg load(const char *text)
{
	struct cfg c;

	assert_int_equal(cfg_load_string(text, NAME, &c), 0);
	return c;
}

/* Error @i of @c starts with @prefix (file, line and key) and holds @why */
static inline void assert_err(const struct cfg *c, size_t i,
			      const char *prefix, const char *why)
{
	assert_true(i < c->n_errors);
	if (strncmp(c->errors[i], prefix, strlen(prefix)) ||
	    (why && !strstr(c->errors[i], why)))
		fail_msg("error %zu is \"%s\", want \"%s...%s\"", i,
			 c->errors[i], prefix, why ? why : "");
}

/* the network called @name in @c, or NULL */
static inline const struct cfg_network *net(const struct cfg *c,
					    const char *name)
{
	size_t i;

	for (i = 0; i < c->n_networks; i++)
		if (!strcmp(c->networks[i].name, name))
			return &c->networks[i];
	return NULL;
}

#endif
