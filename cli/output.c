// SPDX-License-Identifier: MIT
/* output.c - messages, JSON output and the shared connect step of commands */
#include "cli/cli.h"
#include "cli/client.h"
#include "common/proto.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("mvm: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mvm: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'mvm %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, char **argv)
{
	const char *arg = argv[optind - 1];

	if (optopt && (!arg || strncmp(arg, "--", 2)))
		return cli_usage_error(cmd, "invalid option or missing argument: -%c",
				       optopt);
	return cli_usage_error(cmd, "invalid option or missing argument: %s",
			       arg ? arg : "?");
}

void cli_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_SPACED |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
}

int cli_parse_format(const char *s, enum cli_format *out)
{
	if (!strcmp(s, "table"))
		*out = FMT_TABLE;
	else if (!strcmp(s, "json"))
		*out = FMT_JSON;
	else
		return -EINVAL;
	return 0;
}

/*
 * --config names the file mvmd reads when it starts; a daemon that already
 * runs keeps the file it started with. Say so rather than ignore the option.
 */
static void config_mismatch_warn(const char *wanted, const char *running)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (realpath(wanted, a) && *running && realpath(running, b) && !strcmp(a, b))
		return;
	cli_warn("mvmd is already running with %s; --config %s takes effect when it starts again ('mvm system stop' first)",
		 *running ? running : "no configuration file", wanted);
}

int cli_connect(struct cli_ctx *ctx, struct client *c, int start)
{
	struct json_object *st, *errs;
	size_t i;
	int ret;

	ret = client_open(c, ctx->config, start);
	if (ret) {
		cli_error("%s", c->err);
		return 1;
	}
	if (!c->started && !ctx->config)
		return 0;
	if (client_call(c, "system.status", NULL, NULL, 0, &st))
		return 0;
	if (!c->started) {
		config_mismatch_warn(ctx->config, cli_jstr(st, "config_file"));
		json_object_put(st);
		return 0;
	}
	/* tell about a broken config now: the daemon keeps running without
	 * the networks it could not read */
	if (!json_object_object_get_ex(st, "config_errors", &errs) ||
	    !json_object_is_type(errs, json_type_array)) {
		json_object_put(st);
		return 0;
	}
	for (i = 0; i < json_object_array_length(errs); i++)
		cli_warn("%s", json_object_get_string(
				       json_object_array_get_idx(errs, i)));
	json_object_put(st);
	return 0;
}

const char *cli_jstr(struct json_object *o, const char *key)
{
	const char *s;

	return proto_get_str(o, key, &s) ? "" : s;
}

int cli_print_list(struct json_object *list, const char *op, int quiet,
		   enum cli_format fmt, void (*table)(struct json_object *list))
{
	size_t i;

	if (!json_object_is_type(list, json_type_array))
		return cli_error("bad reply from mvmd to '%s' (not a list)", op);
	if (quiet)
		for (i = 0; i < json_object_array_length(list); i++)
			printf("%s\n", cli_jstr(json_object_array_get_idx(list, i), "name"));
	else if (fmt == FMT_JSON)
		cli_print_json(list);
	else
		table(list);
	return 0;
}
