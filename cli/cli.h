/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the mvm command functions share
 *
 * Every command is a function `int cmd_x(struct cli_ctx *, int argc,
 * char **argv)` whose argv[0] is the command's own name and whose return
 * value is the process exit status: 0 success, 1 failure (after printing
 * "mvm: <message>" to stderr), 2 usage error. Only command functions (and
 * the helpers in output.c made for them) print.
 */
#ifndef MVM_CLI_H
#define MVM_CLI_H

#include <json-c/json.h>
#include <stdio.h>

#define EXIT_USAGE 2

/** struct cli_ctx - global options, given to every command */
struct cli_ctx {
	const char *config;	/* --config FILE, or NULL */
	const char *prog;	/* "mvm", for messages */
};

struct client;

/** enum cli_format - --format table|json */
enum cli_format { FMT_TABLE, FMT_JSON };

/* output.c: printing helpers for command functions */

/** cli_error() - print "mvm: <message>" to stderr; returns 1 */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** cli_warn() - print "mvm: warning: <message>" to stderr */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * cli_usage_error() - print a usage error for command @cmd; returns 2
 * Prints "mvm: @cmd: <message>" and a hint to run "mvm @cmd --help".
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** cli_bad_option() - usage error for the option getopt rejected; returns 2 */
int cli_bad_option(const char *cmd, char **argv);

/** cli_print_json() - pretty-print @o to stdout followed by a newline */
void cli_print_json(struct json_object *o);

/** cli_jstr() - the string @key of @o, or "" when absent or not a string */
const char *cli_jstr(struct json_object *o, const char *key);

/**
 * cli_print_list() - print the array reply of a listing op
 * @list:	the reply (checked to be an array; put by the caller)
 * @op:		the op it answers, for the error message
 * @quiet:	print only the "name" of each element
 * @fmt:	json prints the array as is, table calls @table
 * @table:	prints @list as a table
 * Return: the exit status (1 when @list is not an array)
 */
int cli_print_list(struct json_object *list, const char *op, int quiet,
		   enum cli_format fmt, void (*table)(struct json_object *list));

/** cli_parse_format() - "table"/"json" to *@out; 0 or -EINVAL */
int cli_parse_format(const char *s, enum cli_format *out);

/**
 * cli_connect() - connect to mvmd, starting it when it is not running
 * @ctx:	global options (the config file is handed to a new mvmd)
 * @c:		filled in on success; release with client_close()
 * @start:	non-zero to start mvmd on demand
 * When this starts mvmd and mvmd reports configuration errors, they are
 * printed as warnings. On failure the reason is printed.
 * Return: 0, or 1 (the exit status) after printing the error
 */
int cli_connect(struct cli_ctx *ctx, struct client *c, int start);

/* commands */
int cmd_system(struct cli_ctx *ctx, int argc, char **argv);
int cmd_network(struct cli_ctx *ctx, int argc, char **argv);
int cmd_capture(struct cli_ctx *ctx, int argc, char **argv);
int cmd_run(struct cli_ctx *ctx, int argc, char **argv);
int cmd_ps(struct cli_ctx *ctx, int argc, char **argv);
int cmd_inspect(struct cli_ctx *ctx, int argc, char **argv);
int cmd_stop(struct cli_ctx *ctx, int argc, char **argv);
int cmd_kill(struct cli_ctx *ctx, int argc, char **argv);
int cmd_rm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_logs(struct cli_ctx *ctx, int argc, char **argv);

#endif
