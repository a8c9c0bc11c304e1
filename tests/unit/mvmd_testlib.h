/* SPDX-License-Identifier: MIT */
/*
 * mvmd_testlib.h - a whole mvmd context in a temporary directory, for unit
 * tests: runtime and state dirs under mkdtemp(), an optional config file,
 * and helpers to call operations through ctl_dispatch() like a client.
 */
#ifndef MVMD_TESTLIB_H
#define MVMD_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mvmd/control.h"
#include "mvmd/mvmd.h"
#include "common/log.h"
#include "common/proto.h"

struct tmvmd {
	char dir[64];
	char conf[128];
	struct mvmd d;
};

/* set up in a fresh temp dir (or @reuse's); @conf_text NULL = no config */
static inline void tmvmd_start(struct tmvmd *t, const char *conf_text, int reuse)
{
	struct mvmd_opts o = { 0 };
	char run[128], state[128], err[256];

	log_init(NULL, LOG_LVL_WARN, 0);
	if (!reuse) {
		strcpy(t->dir, "/tmp/mvmd-test.XXXXXX");
		assert_non_null(mkdtemp(t->dir));
	}
	snprintf(run, sizeof(run), "%s/run", t->dir);
	snprintf(state, sizeof(state), "%s/state", t->dir);
	o.runtime_dir = run;
	o.state_dir = state;
	o.config_path = "";
	if (conf_text) {
		FILE *f;

		snprintf(t->conf, sizeof(t->conf), "%s/mvm.conf", t->dir);
		f = fopen(t->conf, "w");
		assert_non_null(f);
		fputs(conf_text, f);
		fclose(f);
		o.config_path = t->conf;
	}
	assert_int_equal(mvmd_init(&t->d, &o, err, sizeof(err)), 0);
}

static inline void tmvmd_stop(struct tmvmd *t)
{
	mvmd_fini(&t->d);
}

static inline void tmvmd_cleanup(struct tmvmd *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* run one request (printf-style JSON) without a connection */
static inline struct json_object *tmvmd_call(struct tmvmd *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline struct json_object *tmvmd_call(struct tmvmd *t, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return ctl_dispatch(&t->d, NULL, buf, strlen(buf), NULL, 0);
}

/* the errno name of a reply, "" when it is ok */
static inline const char *reply_errno(struct json_object *r)
{
	const char *e = "";
	int ok = 0;

	assert_non_null(r);
	assert_int_equal(proto_get_bool(r, "ok", &ok), 0);
	if (!ok)
		assert_int_equal(proto_get_str(r, "errno", &e), 0);
	return e;
}

static inline const char *reply_error(struct json_object *r)
{
	struct json_object *v;

	if (!json_object_object_get_ex(r, "error", &v))
		return "";
	return json_object_get_string(v);
}

static inline struct json_object *reply_result(struct json_object *r)
{
	struct json_object *res = NULL;

	json_object_object_get_ex(r, "result", &res);
	assert_non_null(res);
	return res;
}

/* a request that must succeed; returns the reply (caller puts it) */
#define call_ok(t, ...) ({						\
	struct json_object *_r = tmvmd_call(t, __VA_ARGS__);		\
	if (strcmp(reply_errno(_r), ""))				\
		fail_msg("%s", json_object_to_json_string(_r));		\
	_r; })

/* a request that must fail with @eno; returns the reply (caller puts it) */
#define call_err(t, eno, ...) ({					\
	struct json_object *_r = tmvmd_call(t, __VA_ARGS__);		\
	if (strcmp(reply_errno(_r), eno))				\
		fail_msg("want %s: %s", eno, json_object_to_json_string(_r)); \
	_r; })

#endif
