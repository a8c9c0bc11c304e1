/* SPDX-License-Identifier: MIT */
/* jsonutil.h - small json-c helpers shared by every module that reports */
#ifndef MVM_COMMON_JSONUTIL_H
#define MVM_COMMON_JSONUTIL_H

#include <json-c/json.h>
#include <stdint.h>

/**
 * json_add_u64() - add counter @v to @o as @k (json-c integers are signed:
 * clamped to INT64_MAX)
 */
static inline void json_add_u64(struct json_object *o, const char *k,
				uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(
		v > INT64_MAX ? INT64_MAX : (int64_t)v));
}

#endif
