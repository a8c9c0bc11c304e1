// SPDX-License-Identifier: MIT
/*
 * config.c - mvm.conf, the libconfig file that declares networks
 *
 * The file is parsed in two layers. libconfig turns the text into a tree
 * (a syntax error there loses the whole file: there is no tree to trust).
 * Then every network group is checked key by key against a table of known
 * keys; each problem is recorded as "FILE:LINE: key 'PATH': reason" and
 * marks only its network as invalid, so one typo never takes the other
 * networks down. All checks of a network run even after the first error,
 * so that a user fixing a file sees every problem at once.
 *
 * Nothing here prints or keeps file-scope state: the result, including the
 * error messages, lives in the caller's struct cfg.
 */
#include "mvmd/config.h"

#include <errno.h>
#include <libconfig.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkt/wire.h"
#include "common/util.h"
#include "vswitch/vsw.h"

/**
 * struct cfg_ctx - state of one parse
 * @out:	the result being filled in
 * @name:	file name for messages
 * @dir:	absolute directory of the file: base of relative paths
 * @enomem:	set when an allocation failed; the parse then returns -ENOMEM
 */
struct cfg_ctx {
	struct cfg *out;
	const char *name;
	char dir[PATH_MAX];
	int enomem;
};

/* Append one formatted message to @x->out->errors, bounded by CFG_MAX_ERRORS */
__attribute__((format(printf, 2, 3)))
static void cfg_msg(struct cfg_ctx *x, const char *fmt, ...)
{
	struct cfg *c = x->out;
	char **errs;
	char *m;
	va_list ap;
	int r;

	if (c->n_errors >= CFG_MAX_ERRORS)
		return;
	if (c->n_errors == CFG_MAX_ERRORS - 1) {
		r = asprintf(&m, "%s: too many errors, the rest are not shown",
			     x->name);
	} else {
		va_start(ap, fmt);
		r = vasprintf(&m, fmt, ap);
		va_end(ap);
	}
	if (r < 0) {
		x->enomem = 1;
		return;
	}
	errs = realloc(c->errors, (c->n_errors + 1) * sizeof(*errs));
	if (!errs) {
		free(m);
		x->enomem = 1;
		return;
	}
	errs[c->n_errors++] = m;
	c->errors = errs;
}

/* Build "networks.NAME.KEY[.SUB]" for messages; list entries as "KEY[i]" */
static const char *cfg_key(char *buf, size_t size, const config_setting_t *s)
{
	const config_setting_t *chain[8];
	size_t n = 0, off = 0;

	for (; s && config_setting_parent(s) && n < ARRAY_SIZE(chain);
	     s = config_setting_parent(s))
		chain[n++] = s;
	buf[0] = '\0';
	while (n--) {
		const char *name = config_setting_name(chain[n]);
		int r = name ? snprintf(buf + off, size - off, "%s%s",
					off ? "." : "", name) :
			snprintf(buf + off, size - off, "[%d]",
				 config_setting_index(chain[n]));

		if (r < 0 || (size_t)r >= size - off)
			break;
		off += (size_t)r;
	}
	return buf;
}

/*
 * Name of the file libconfig says a setting or error came from: NULL is the
 * text itself (@x->name); an @include'd file is relative to @x->dir.
 */
static const char *cfg_file(const struct cfg_ctx *x, char *buf, size_t size,
			    const char *f)
{
	if (!f)
		return x->name;
	if (f[0] == '/' || snprintf(buf, size, "%s%s%s", x->dir,
				     strcmp(x->dir, "/") ? "/" : "", f) >= (int)size)
		return f;
	return buf;
}

/* Record an error about setting @s: "FILE:LINE: key 'K': reason" */
__attribute__((format(printf, 3, 4)))
static void cfg_err(struct cfg_ctx *x, const config_setting_t *s,
		    const char *fmt, ...)
{
	char file[PATH_MAX], key[512], why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cfg_msg(x, "%s:%u: key '%s': %s",
		cfg_file(x, file, sizeof(file), config_setting_source_file(s)),
		config_setting_source_line(s), cfg_key(key, sizeof(key), s),
		why);
}

/* The string value of @s, or NULL after recording an error */
static const char *cfg_string(struct cfg_ctx *x, const config_setting_t *s)
{
	const char *v = config_setting_get_string(s);

	if (!v)
		cfg_err(x, s, "must be a string in double quotes");
	return v;
}

static int cfg_mode(struct cfg_ctx *x, const config_setting_t *s,
		    struct cfg_network *n)
{
	const char *v = cfg_string(x, s);

	if (!v)
		return -EINVAL;
	if (!strcmp(v, "nat")) {
		n->internal = 0;
	} else if (!strcmp(v, "internal")) {
		n->internal = 1;
	} else {
		cfg_err(x, s, "unknown mode \"%s\" (use \"nat\" or \"internal\")",
			v);
		return -EINVAL;
	}
	return 0;
}

static int cfg_subnet(struct cfg_ctx *x, const config_setting_t *s,
		      struct cfg_network *n)
{
	const char *v = cfg_string(x, s);

	if (!v)
		return -EINVAL;
	if (cidr4_parse(v, &n->subnet)) {
		cfg_err(x, s, "\"%s\" is not a subnet: want A.B.C.D/N with "
			"N in 8..30 and no host bits set", v);
		return -EINVAL;
	}
	n->has_subnet = 1;
	return 0;
}

static int cfg_mtu(struct cfg_ctx *x, const config_setting_t *s,
		   struct cfg_network *n)
{
	int t = config_setting_type(s);
	long long v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		cfg_err(x, s, "must be an integer");
		return -EINVAL;
	}
	v = config_setting_get_int64(s);
	if (v < CFG_MTU_MIN || v > CFG_MTU_MAX) {
		cfg_err(x, s, "%lld is out of range %d..%d", v, CFG_MTU_MIN,
			CFG_MTU_MAX);
		return -EINVAL;
	}
	n->mtu = (uint16_t)v;
	return 0;
}

static int cfg_labels(struct cfg_ctx *x, const config_setting_t *s,
		      struct cfg_network *n)
{
	int i, len, ret = 0;

	if (!config_setting_is_group(s)) {
		cfg_err(x, s, "must be a group: { key = \"value\"; ... }");
		return -EINVAL;
	}
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		const config_setting_t *l = config_setting_get_elem(s, (unsigned)i);
		const char *k = config_setting_name(l), *v = cfg_string(x, l);
		struct cfg_label *dst;

		if (!v) {
			ret = -EINVAL;
			continue;
		}
		if (n->n_labels >= CFG_MAX_LABELS) {
			cfg_err(x, l, "too many labels (at most %d)",
				CFG_MAX_LABELS);
			ret = -EINVAL;
			break;
		}
		dst = &n->labels[n->n_labels];
		if (str_copy(dst->key, sizeof(dst->key), k) ||
		    str_copy(dst->value, sizeof(dst->value), v)) {
			cfg_err(x, l, "label key and value are limited to %d "
				"characters", CFG_LABEL_MAX - 1);
			ret = -EINVAL;
			continue;
		}
		n->n_labels++;
	}
	return ret;
}

static int cfg_pcap(struct cfg_ctx *x, const config_setting_t *s,
		    struct cfg_network *n)
{
	const char *v = cfg_string(x, s);
	int r;

	if (!v)
		return -EINVAL;
	if (!*v) {
		cfg_err(x, s, "must not be empty (leave the key out instead)");
		return -EINVAL;
	}
	if (v[0] == '/')
		r = snprintf(n->pcap, sizeof(n->pcap), "%s", v);
	else if (!strcmp(x->dir, "/"))
		r = snprintf(n->pcap, sizeof(n->pcap), "/%s", v);
	else
		r = snprintf(n->pcap, sizeof(n->pcap), "%s/%s", x->dir, v);
	if (r < 0 || (size_t)r >= sizeof(n->pcap)) {
		cfg_err(x, s, "path too long");
		return -EINVAL;
	}
	return 0;
}

static int cfg_pcap_filter(struct cfg_ctx *x, const config_setting_t *s,
			   struct cfg_network *n)
{
	const char *v = cfg_string(x, s);
	struct bpf_program prog;
	pcap_t *p;
	int ret = 0;

	if (!v)
		return -EINVAL;
	if (str_copy(n->pcap_filter, sizeof(n->pcap_filter), v)) {
		cfg_err(x, s, "longer than %d characters", CFG_FILTER_MAX - 1);
		return -EINVAL;
	}
	/* compile it now so that a bad expression is reported with its line */
	p = pcap_open_dead(DLT_EN10MB, CFG_MTU_MAX + 14);
	if (!p) {
		x->enomem = 1;
		return -ENOMEM;
	}
	if (pcap_compile(p, &prog, v, 1, PCAP_NETMASK_UNKNOWN)) {
		cfg_err(x, s, "bad filter expression: %s", pcap_geterr(p));
		ret = -EINVAL;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(p);
	return ret;
}

/* Is @s a DNS name of labels name_valid() accepts (case aside)? */
static int cfg_dns_name(const char *s, char *out, size_t size)
{
	char label[CFG_NAME_MAX];
	size_t i = 0, n = strlen(s);

	if (!n || n >= size || s[n - 1] == '.')
		return -EINVAL;
	while (i < n) {
		size_t j = i, k;

		while (j < n && s[j] != '.')
			j++;
		if (j - i >= sizeof(label))
			return -EINVAL;
		for (k = i; k < j; k++)
			label[k - i] = (char)(s[k] >= 'A' && s[k] <= 'Z' ?
					      s[k] - 'A' + 'a' : s[k]);
		label[j - i] = '\0';
		if (!name_valid(label))
			return -EINVAL;
		memcpy(out + i, label, j - i);
		out[j] = '.';
		i = j + 1;
	}
	out[n] = '\0';
	return 0;
}

static int cfg_domain(struct cfg_ctx *x, const config_setting_t *s,
		      struct cfg_network *n)
{
	const char *v = cfg_string(x, s);

	if (!v)
		return -EINVAL;
	if (cfg_dns_name(v, n->domain, sizeof(n->domain))) {
		cfg_err(x, s, "\"%s\" is not a DNS name: labels of 1..63 of "
			"a-z, 0-9 and '-' joined by '.', at most 253 characters",
			v);
		return -EINVAL;
	}
	return 0;
}

static int cfg_upstreams(struct cfg_ctx *x, const config_setting_t *s,
			 struct cfg_network *n)
{
	int i, len, ret = 0;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_err(x, s, "must be a list of strings: [ \"IP\", \"IP:PORT\" ]");
		return -EINVAL;
	}
	len = config_setting_length(s);
	if (!len || len > CFG_UPSTREAMS) {
		cfg_err(x, s, "give 1..%d resolvers", CFG_UPSTREAMS);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = cfg_string(x, e);
		struct sockaddr_storage ss;
		socklen_t sl;

		if (!v) {
			ret = -EINVAL;
			continue;
		}
		if (sockaddr_parse(v, DNS_PORT, &ss, &sl) ||
		    str_copy(n->upstreams[n->n_upstreams], CFG_UPSTREAM_MAX, v)) {
			cfg_err(x, e, "\"%s\" is not a resolver: want \"IP\", "
				"\"IP:PORT\" or \"[IPv6]:PORT\"", v);
			ret = -EINVAL;
			continue;
		}
		n->n_upstreams++;
	}
	return ret;
}

/* The string member @key of group @g, a DNS label, into @out */
static int cfg_member_label(struct cfg_ctx *x, const config_setting_t *g,
			    const char *key, char *out)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	const char *v;

	if (!m) {
		cfg_err(x, g, "needs %s = \"...\"", key);
		return -EINVAL;
	}
	v = cfg_string(x, m);
	if (!v)
		return -EINVAL;
	if (!name_valid(v)) {
		cfg_err(x, m, "\"%s\" is not a name: use 1..63 of a-z, 0-9 and "
			"'-', not at either end", v);
		return -EINVAL;
	}
	str_copy(out, CFG_NAME_MAX, v);
	return 0;
}

/* Every member of @g must be one of @keys (NULL-terminated) */
static int cfg_members(struct cfg_ctx *x, const config_setting_t *g,
		       const char *const *keys)
{
	int i, len = config_setting_length(g), ret = 0;

	for (i = 0; i < len; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *const *k;

		for (k = keys; *k && strcmp(*k, config_setting_name(m)); k++)
			;
		if (!*k) {
			cfg_err(x, m, "unknown key");
			ret = -EINVAL;
		}
	}
	return ret;
}

/* @s is a list of groups; 0 or -EINVAL after recording the error */
static int cfg_group_list(struct cfg_ctx *x, const config_setting_t *s,
			  const char *shape, int max)
{
	int i, len;

	if (!config_setting_is_list(s)) {
		cfg_err(x, s, "must be a list of groups: ( %s, ... )", shape);
		return -EINVAL;
	}
	len = config_setting_length(s);
	if (len > max) {
		cfg_err(x, s, "too many entries (at most %d)", max);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!config_setting_is_group(config_setting_get_elem(s, (unsigned)i))) {
			cfg_err(x, s, "entry %d is not a group: %s", i + 1, shape);
			return -EINVAL;
		}
	}
	return 0;
}

static int cfg_static_one(struct cfg_ctx *x, const config_setting_t *g,
			  struct cfg_static *st)
{
	static const char *const keys[] = { "mac", "ip", "hostname", NULL };
	const config_setting_t *m;
	const char *v;
	int ret = cfg_members(x, g, keys);

	memset(st, 0, sizeof(*st));
	st->line = config_setting_source_line(g);
	m = config_setting_get_member(g, "mac");
	if (!m) {
		cfg_err(x, g, "needs mac = \"02:...\"");
		ret = -EINVAL;
	} else if (!(v = cfg_string(x, m))) {
		ret = -EINVAL;
	} else if (mac_parse(v, st->mac) || (st->mac[0] & 1)) {
		cfg_err(x, m, "\"%s\" is not a unicast MAC address "
			"(aa:bb:cc:dd:ee:ff)", v);
		ret = -EINVAL;
	}
	m = config_setting_get_member(g, "ip");
	if (!m) {
		cfg_err(x, g, "needs ip = \"A.B.C.D\"");
		ret = -EINVAL;
	} else if (!(v = cfg_string(x, m))) {
		ret = -EINVAL;
	} else if (ip4_parse(v, &st->ip)) {
		cfg_err(x, m, "\"%s\" is not an IPv4 address", v);
		ret = -EINVAL;
	}
	if (cfg_member_label(x, g, "hostname", st->hostname))
		ret = -EINVAL;
	return ret;
}

static int cfg_statics(struct cfg_ctx *x, const config_setting_t *s,
		       struct cfg_network *n)
{
	int i, len, ret;

	ret = cfg_group_list(x, s, "{ mac = \"02:..\"; ip = \"A.B.C.D\"; "
			     "hostname = \"NAME\"; }", CFG_MAX_STATIC);
	if (ret)
		return ret;
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct cfg_static *st = &n->statics[n->n_statics];
		size_t j;

		if (cfg_static_one(x, g, st)) {
			ret = -EINVAL;
			continue;
		}
		for (j = 0; j < n->n_statics; j++) {
			const struct cfg_static *o = &n->statics[j];
			const char *what = o->ip == st->ip ? "ip" :
				!memcmp(o->mac, st->mac, 6) ? "mac" :
				!strcmp(o->hostname, st->hostname) ?
				"hostname" : NULL;

			if (what) {
				cfg_err(x, config_setting_get_member(g, what),
					"the same %s as the static lease on "
					"line %d", what, o->line);
				break;
			}
		}
		if (j < n->n_statics) {
			ret = -EINVAL;
			continue;
		}
		n->n_statics++;
	}
	return ret;
}

/* after the whole group: static leases inside the subnet, off its edges */
static int cfg_statics_check(struct cfg_ctx *x, const config_setting_t *g,
			     const struct cfg_network *n)
{
	const config_setting_t *s = config_setting_get_member(g, "static");
	int i, ret = 0;

	if (!s || !n->n_statics)
		return 0;
	if (!n->has_subnet) {
		cfg_err(x, s, "static leases need a subnet: set subnet too");
		return -EINVAL;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const config_setting_t *m = config_setting_get_member(e, "ip");
		size_t j;
		char a[CIDR_STRLEN];
		uint32_t ip;

		if (!m || !config_setting_get_string(m) ||
		    ip4_parse(config_setting_get_string(m), &ip))
			continue;
		for (j = 0; j < n->n_statics && n->statics[j].ip != ip; j++)
			;
		if (j == n->n_statics)
			continue;
		if (!cidr4_contains(&n->subnet, ip)) {
			cfg_err(x, m, "not inside the subnet %s",
				cidr4_format(&n->subnet, a));
			ret = -EINVAL;
		} else if (ip == n->subnet.addr || ip == n->subnet.addr + 1 ||
			   ip == cidr4_broadcast(&n->subnet)) {
			cfg_err(x, m, "the network, gateway or broadcast "
				"address of %s", cidr4_format(&n->subnet, a));
			ret = -EINVAL;
		}
	}
	return ret;
}

static int cfg_aliases(struct cfg_ctx *x, const config_setting_t *s,
		       struct cfg_network *n)
{
	static const char *const keys[] = { "name", "guest", NULL };
	int i, len, ret;

	ret = cfg_group_list(x, s, "{ name = \"ALIAS\"; guest = \"GUEST\"; }",
			     CFG_MAX_ALIASES);
	if (ret)
		return ret;
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct cfg_alias *a = &n->aliases[n->n_aliases];
		int bad = cfg_members(x, g, keys);

		if (cfg_member_label(x, g, "name", a->name))
			bad = -EINVAL;
		if (cfg_member_label(x, g, "guest", a->guest))
			bad = -EINVAL;
		if (bad)
			ret = -EINVAL;
		else
			n->n_aliases++;
	}
	return ret;
}

static int cfg_host_access(struct cfg_ctx *x, const config_setting_t *s,
			   struct cfg_network *n)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_err(x, s, "must be true or false");
		return -EINVAL;
	}
	n->host_access = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

/* An integer in [@min, @max] into *@out; 0 or -EINVAL (recorded) */
static int cfg_uint(struct cfg_ctx *x, const config_setting_t *s,
		    long long min, long long max, long long *out)
{
	int t = config_setting_type(s);
	long long v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
		cfg_err(x, s, "must be an integer");
		return -EINVAL;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_err(x, s, "%lld is out of range %lld..%lld", v, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int cfg_max_flows(struct cfg_ctx *x, const config_setting_t *s,
			 struct cfg_network *n)
{
	long long v;

	if (cfg_uint(x, s, 1, CFG_FLOWS_MAX, &v))
		return -EINVAL;
	n->max_flows = (uint32_t)v;
	return 0;
}

static int cfg_max_flows_guest(struct cfg_ctx *x, const config_setting_t *s,
			       struct cfg_network *n)
{
	long long v;

	if (cfg_uint(x, s, 1, CFG_FLOWS_MAX, &v))
		return -EINVAL;
	n->max_flows_guest = (uint32_t)v;
	return 0;
}

/* host = "IP:PORT", "PORT" or PORT (address 127.0.0.1) */
static int cfg_publish_host(struct cfg_ctx *x, const config_setting_t *m,
			    struct cfg_publish *p)
{
	const char *v, *colon;
	char ip[16];
	long long port;

	p->host_ip = 0x7f000001;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		if (cfg_uint(x, m, 1, 65535, &port))
			return -EINVAL;
		p->host_port = (uint16_t)port;
		return 0;
	}
	v = config_setting_get_string(m);
	colon = strrchr(v, ':');
	if (colon) {
		size_t len = (size_t)(colon - v);

		if (len >= sizeof(ip))
			goto bad;
		memcpy(ip, v, len);
		ip[len] = '\0';
		if (ip4_parse(ip, &p->host_ip))
			goto bad;
		v = colon + 1;
	}
	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 5)
		goto bad;
	port = atoll(v);
	if (port < 1 || port > 65535)
		goto bad;
	p->host_port = (uint16_t)port;
	return 0;
bad:
	cfg_err(x, m, "\"%s\" is not a host port: want \"PORT\" or "
		"\"IP:PORT\" (IPv4, port 1..65535)", config_setting_get_string(m));
	return -EINVAL;
}

static int cfg_publish_one(struct cfg_ctx *x, const config_setting_t *g,
			   struct cfg_publish *p)
{
	static const char *const keys[] = { "guest", "host", "port", "proto",
					    NULL };
	const config_setting_t *m;
	int ret = cfg_members(x, g, keys);
	long long v;

	memset(p, 0, sizeof(*p));
	p->line = config_setting_source_line(g);
	p->proto = IPPROTO_TCP;
	if (cfg_member_label(x, g, "guest", p->guest))
		ret = -EINVAL;
	m = config_setting_get_member(g, "host");
	if (!m) {
		cfg_err(x, g, "needs host = \"[IP:]PORT\"");
		ret = -EINVAL;
	} else if (cfg_publish_host(x, m, p)) {
		ret = -EINVAL;
	}
	m = config_setting_get_member(g, "port");
	if (!m) {
		cfg_err(x, g, "needs port = N (the guest's port)");
		ret = -EINVAL;
	} else if (cfg_uint(x, m, 1, 65535, &v)) {
		ret = -EINVAL;
	} else {
		p->port = (uint16_t)v;
	}
	m = config_setting_get_member(g, "proto");
	if (m) {
		const char *s = cfg_string(x, m);

		if (!s) {
			ret = -EINVAL;
		} else if (!strcmp(s, "udp")) {
			p->proto = IPPROTO_UDP;
		} else if (strcmp(s, "tcp")) {
			cfg_err(x, m, "unknown protocol \"%s\" (use \"tcp\" or "
				"\"udp\")", s);
			ret = -EINVAL;
		}
	}
	return ret;
}

static int cfg_publish(struct cfg_ctx *x, const config_setting_t *s,
		       struct cfg_network *n)
{
	int i, len, ret;

	ret = cfg_group_list(x, s, "{ guest = \"GUEST\"; host = \"[IP:]PORT\"; "
			     "port = N; proto = \"tcp\"; }", CFG_MAX_PUBLISH);
	if (ret)
		return ret;
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct cfg_publish *p = &n->publish[n->n_publish];
		size_t j;

		if (cfg_publish_one(x, g, p)) {
			ret = -EINVAL;
			continue;
		}
		for (j = 0; j < n->n_publish; j++) {
			const struct cfg_publish *o = &n->publish[j];

			if (o->proto == p->proto && o->host_port == p->host_port &&
			    (o->host_ip == p->host_ip || !o->host_ip ||
			     !p->host_ip))
				break;
		}
		if (j < n->n_publish) {
			cfg_err(x, config_setting_get_member(g, "host"),
				"the same host port as the publish entry on "
				"line %d", n->publish[j].line);
			ret = -EINVAL;
			continue;
		}
		n->n_publish++;
	}
	return ret;
}

/**
 * struct cfg_key_def - one key a network group may hold
 * @name:	the key
 * @parse:	checks @s and stores it in @n; 0 or -EINVAL (error recorded)
 */
struct cfg_key_def {
	const char *name;
	int (*parse)(struct cfg_ctx *x, const config_setting_t *s,
		     struct cfg_network *n);
};

static const struct cfg_key_def cfg_network_keys[] = {
	{ "mode", cfg_mode },
	{ "subnet", cfg_subnet },
	{ "mtu", cfg_mtu },
	{ "labels", cfg_labels },
	{ "pcap", cfg_pcap },
	{ "pcap_filter", cfg_pcap_filter },
	{ "domain", cfg_domain },
	{ "dns_upstreams", cfg_upstreams },
	{ "static", cfg_statics },
	{ "aliases", cfg_aliases },
	{ "publish", cfg_publish },
	{ "host_access", cfg_host_access },
	{ "max_flows", cfg_max_flows },
	{ "max_flows_per_guest", cfg_max_flows_guest },
};

/* Check one network group into @n; 0 if it is valid, -EINVAL otherwise */
static int cfg_network(struct cfg_ctx *x, const config_setting_t *g,
		       struct cfg_network *n)
{
	const char *name = config_setting_name(g);
	const config_setting_t *pf = NULL;
	int i, len, ret = 0;

	memset(n, 0, sizeof(*n));
	n->line = config_setting_source_line(g);
	n->host_access = -1;
	if (!config_setting_is_group(g)) {
		cfg_err(x, g, "a network must be a group: %s = { ... };", name);
		return -EINVAL;
	}
	if (!name_valid(name)) {
		cfg_err(x, g, "bad network name: use 1..63 of a-z, 0-9 and "
			"'-', not at either end");
		ret = -EINVAL;
	} else {
		str_copy(n->name, sizeof(n->name), name);
	}
	len = config_setting_length(g);
	for (i = 0; i < len; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(s);
		size_t j;

		for (j = 0; j < ARRAY_SIZE(cfg_network_keys); j++)
			if (!strcmp(k, cfg_network_keys[j].name))
				break;
		if (j == ARRAY_SIZE(cfg_network_keys)) {
			cfg_err(x, s, "unknown key");
			ret = -EINVAL;
			continue;
		}
		if (cfg_network_keys[j].parse(x, s, n))
			ret = -EINVAL;
		if (!strcmp(k, "pcap_filter"))
			pf = s;
	}
	if (pf && !config_setting_get_member(g, "pcap")) {
		cfg_err(x, pf, "a filter needs a capture file: set pcap too");
		ret = -EINVAL;
	}
	if (n->internal && config_setting_get_member(g, "dns_upstreams")) {
		cfg_err(x, config_setting_get_member(g, "dns_upstreams"),
			"an internal network never forwards DNS: remove it or "
			"use mode = \"nat\"");
		ret = -EINVAL;
	}
	if (cfg_statics_check(x, g, n))
		ret = -EINVAL;
	if (n->max_flows_guest && n->max_flows_guest >
	    (n->max_flows ? n->max_flows : CFG_FLOWS_DEFAULT)) {
		cfg_err(x, config_setting_get_member(g, "max_flows_per_guest"),
			"%u is more than the network's max_flows (%u)",
			n->max_flows_guest,
			n->max_flows ? n->max_flows : CFG_FLOWS_DEFAULT);
		ret = -EINVAL;
	}
	return ret;
}

/* Keep @n unless its subnet overlaps one of the networks kept before it */
static int cfg_keep(struct cfg_ctx *x, const config_setting_t *g,
		    const struct cfg_network *n)
{
	struct cfg *c = x->out;
	struct cfg_network *nets;
	size_t i;

	for (i = 0; n->has_subnet && i < c->n_networks; i++) {
		const struct cfg_network *o = &c->networks[i];
		char a[CIDR_STRLEN];

		if (!o->has_subnet || !cidr4_overlap(&n->subnet, &o->subnet))
			continue;
		cfg_err(x, config_setting_get_member(g, "subnet"),
			"%s overlaps the subnet of network '%s' (line %d)",
			cidr4_format(&o->subnet, a), o->name, o->line);
		return -EINVAL;
	}
	if (c->n_networks >= CFG_MAX_NETWORKS) {
		cfg_err(x, g, "too many networks (at most %d)",
			CFG_MAX_NETWORKS);
		return -EINVAL;
	}
	nets = realloc(c->networks, (c->n_networks + 1) * sizeof(*nets));
	if (!nets) {
		x->enomem = 1;
		return -ENOMEM;
	}
	nets[c->n_networks++] = *n;
	c->networks = nets;
	return 0;
}

static void cfg_networks(struct cfg_ctx *x, const config_setting_t *top)
{
	struct cfg_network *n;
	int i, len;

	if (!config_setting_is_group(top)) {
		cfg_err(x, top, "must be a group: networks = { NAME = { ... }; };");
		return;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		x->enomem = 1;
		return;
	}
	len = config_setting_length(top);
	for (i = 0; i < len && !x->enomem; i++) {
		const config_setting_t *g = config_setting_get_elem(top, (unsigned)i);

		if (!cfg_network(x, g, n))
			cfg_keep(x, g, n);
	}
	free(n);
}

/* Absolute directory of @name, for relative paths inside the file */
static int cfg_dir(char *dir, size_t size, const char *name)
{
	const char *slash = strrchr(name, '/');
	char cwd[PATH_MAX];
	int r;

	if (slash == name)
		return str_copy(dir, size, "/");
	if (name[0] == '/')
		r = snprintf(dir, size, "%.*s", (int)(slash - name), name);
	else if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	else if (slash)
		r = snprintf(dir, size, "%s/%.*s", cwd, (int)(slash - name), name);
	else
		r = snprintf(dir, size, "%s", cwd);
	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : 0;
}

int cfg_load_string(const char *text, const char *name, struct cfg *out)
{
	struct cfg_ctx x = { .out = out, .name = name };
	config_setting_t *root;
	config_t lc;
	int i, len;

	memset(out, 0, sizeof(*out));
	str_copy(out->path, sizeof(out->path), name);
	if (cfg_dir(x.dir, sizeof(x.dir), name))
		str_copy(x.dir, sizeof(x.dir), ".");

	config_init(&lc);
	config_set_include_dir(&lc, x.dir);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		char f[PATH_MAX];

		cfg_msg(&x, "%s:%d: syntax error: %s",
			cfg_file(&x, f, sizeof(f), config_error_file(&lc)),
			config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	root = config_root_setting(&lc);
	len = config_setting_length(root);
	for (i = 0; i < len && !x.enomem; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);

		if (!strcmp(config_setting_name(s), "networks"))
			cfg_networks(&x, s);
		else
			cfg_err(&x, s, "unknown key");
	}
out:
	config_destroy(&lc);
	return x.enomem ? -ENOMEM : 0;
}

int cfg_load(const char *path, struct cfg *out)
{
	char *text;
	int ret;

	ret = file_read_all(path, CFG_FILE_MAX, &text, NULL);
	if (ret) {
		struct cfg_ctx x = { .out = out, .name = path };

		memset(out, 0, sizeof(*out));
		str_copy(out->path, sizeof(out->path), path);
		cfg_msg(&x, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	ret = cfg_load_string(text, path, out);
	free(text);
	return ret;
}

void cfg_free(struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->n_errors; i++)
		free(c->errors[i]);
	free(c->errors);
	free(c->networks);
	memset(c, 0, sizeof(*c));
}
