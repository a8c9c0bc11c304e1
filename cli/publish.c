// SPDX-License-Identifier: MIT
/*
 * publish.c - `mvm run --publish`: parser and PORTS format (no I/O)
 *
 * The syntax is Docker's, minus what mvm does not do: a host port must be
 * given (no random one), ranges are not accepted, and IPv6 host addresses
 * are not supported yet. Anything else is refused rather than guessed.
 */
#include "cli/publish.h"
#include "common/addr.h"
#include "common/proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a decimal port 1..65535 of exactly @len characters at @s */
static int port_parse(const char *s, size_t len, uint16_t *out, char *why,
		      size_t size)
{
	unsigned long v = 0;
	size_t i;

	if (!len) {
		snprintf(why, size, "a port is missing");
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			snprintf(why, size, "'%.*s' is not a port number",
				 (int)(len > 16 ? 16 : len), s);
			return -EINVAL;
		}
		if (v <= 65535)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535) {
		snprintf(why, size, "port %.*s is out of range 1..65535",
			 (int)(len > 16 ? 16 : len), s);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

int cli_pub_parse(const char *s, struct cli_pub *out, char *why, size_t size)
{
	const char *slash = strchr(s, '/'), *c1, *c2, *end;
	struct cli_pub p = { .host_ip = 0x7f000001 };
	char ip[16];

	why[0] = '\0';
	end = slash ? slash : s + strlen(s);
	if (slash) {
		if (!strcmp(slash + 1, "udp")) {
			p.udp = 1;
		} else if (strcmp(slash + 1, "tcp")) {
			snprintf(why, size, "unknown protocol '%.16s': use tcp or udp",
				 slash + 1);
			return -EINVAL;
		}
	}
	c2 = memrchr(s, ':', (size_t)(end - s));
	if (!c2) {
		snprintf(why, size, "both the host port and the guest port are needed");
		return -EINVAL;
	}
	c1 = memrchr(s, ':', (size_t)(c2 - s));
	if (c1) {
		size_t len = (size_t)(c1 - s);

		if (!len || len >= sizeof(ip) || memchr(s, ':', len)) {
			snprintf(why, size, "'%.*s' is not an IPv4 address",
				 (int)(len > 40 ? 40 : len), s);
			return -EINVAL;
		}
		memcpy(ip, s, len);
		ip[len] = '\0';
		if (ip4_parse(ip, &p.host_ip)) {
			snprintf(why, size, "'%s' is not an IPv4 address", ip);
			return -EINVAL;
		}
	}
	if (port_parse(c1 ? c1 + 1 : s, (size_t)(c2 - (c1 ? c1 + 1 : s)),
		       &p.host_port, why, size) ||
	    port_parse(c2 + 1, (size_t)(end - c2 - 1), &p.guest_port, why, size))
		return -EINVAL;
	*out = p;
	return 0;
}

struct json_object *cli_pub_to_json(const struct cli_pub *p)
{
	struct json_object *o = json_object_new_object();
	char ip[IP4_STRLEN];

	json_object_object_add(o, "host_ip",
			       json_object_new_string(ip4_format(p->host_ip, ip)));
	json_object_object_add(o, "host_port", json_object_new_int(p->host_port));
	json_object_object_add(o, "guest_port", json_object_new_int(p->guest_port));
	json_object_object_add(o, "proto",
			       json_object_new_string(p->udp ? "udp" : "tcp"));
	return o;
}

char *cli_pub_format(struct json_object *pub, char *buf, size_t size)
{
	const char *ip, *proto;
	int64_t hp, gp;

	if (proto_get_str(pub, "host_ip", &ip) ||
	    proto_get_int(pub, "host_port", &hp) ||
	    proto_get_int(pub, "guest_port", &gp) ||
	    proto_get_str(pub, "proto", &proto)) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	snprintf(buf, size, "%s:%lld->%lld/%s", ip, (long long)hp,
		 (long long)gp, proto);
	return buf;
}
