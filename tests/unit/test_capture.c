// SPDX-License-Identifier: MIT
/*
 * test_capture.c - pcap capture through the switch, written to a pipe
 *
 * Frames enter with vsw_inject() (synchronous), so what the capture must
 * contain is known exactly; the pipe's read end plays the reader (tshark).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "pkt/frame.h"
#include "vswitch/vsw.h"
#include "gw_testlib.h"

#define GW_IP	0x0a590001u

static const uint8_t gw_mac[6] = { 0x02, 0x6d, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t vm_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct env {
	struct vsw *sw;
	int guest;		/* our end of the guest port */
	unsigned port;
	int rd, wr;		/* the capture pipe */
};

struct done_rec {
	atomic_int calls;
	int reason;
	uint64_t packets, dropped;
};

static void on_done(void *opaque, int reason, uint64_t packets,
		    uint64_t dropped)
{
	struct done_rec *d = opaque;

	d->reason = reason;
	d->packets = packets;
	d->dropped = dropped;
	atomic_fetch_add(&d->calls, 1);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	int sv[2], p[2];

	e->sw = testlib_switch("cap", GW_IP, 0x0a590000, 0, gw_mac);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(vsw_port_add_tap(e->sw, sv[0], "vm/eth0", &e->port), 0);
	e->guest = sv[1];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	e->rd = p[0];
	e->wr = p[1];
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testlib_switch_destroy(e->sw);
	close(e->guest);
	if (e->rd >= 0)
		close(e->rd);
	if (e->wr >= 0)
		close(e->wr);
	free(e);
	return 0;
}

/* read exactly @n bytes from the pipe (or fail after 3 s) */
static void read_n(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&pfd, 1, 3000), 1);
		r = read(fd, p, n);
		assert_true(r > 0);
		p += r;
		n -= (size_t)r;
	}
}

static void check_header(int fd)
{
	uint32_t h[6];

	read_n(fd, h, sizeof(h));
	assert_int_equal(h[0], 0xa1b2c3d4);
	assert_int_equal(h[1] & 0xffff, 2);	/* major, native order */
	assert_int_equal(h[1] >> 16, 4);
	assert_int_equal(h[2], 0);		/* thiszone */
	assert_int_equal(h[3], 0);		/* sigfigs */
	assert_int_equal(h[4], 262144);		/* snaplen */
	assert_int_equal(h[5], 1);		/* LINKTYPE_ETHERNET */
}

/* read one record; returns the frame length, frame into @buf */
static uint32_t read_record(int fd, uint8_t *buf, size_t size)
{
	uint32_t rh[4];

	read_n(fd, rh, sizeof(rh));
	assert_true(rh[0] > 1600000000u);	/* a real wall-clock time */
	assert_true(rh[1] < 1000000);
	assert_int_equal(rh[2], rh[3]);		/* never truncated */
	assert_true(rh[2] <= size);
	read_n(fd, buf, rh[2]);
	return rh[2];
}

static size_t build_raw(uint8_t *buf, size_t len, uint8_t tag)
{
	struct eth_hdr eh = { .type = htons(0x88b5) };

	memcpy(eh.dst, bcast, 6);
	memcpy(eh.src, vm_mac, 6);
	memcpy(buf, &eh, sizeof(eh));
	memset(buf + sizeof(eh), tag, len - sizeof(eh));
	return len;
}

static size_t build_arp(uint8_t *buf)
{
	struct {
		struct eth_hdr eth;
		struct arp_ip4 arp;
	} __attribute__((packed)) f = {
		.eth = { .type = htons(ETHTYPE_ARP) },
		.arp = { .htype = htons(1), .ptype = htons(ETHTYPE_IP4),
			 .hlen = 6, .plen = 4, .op = htons(ARP_OP_REQUEST),
			 .spa = { 10, 89, 0, 2 }, .tpa = { 10, 89, 0, 1 } },
	};

	memcpy(f.eth.dst, bcast, 6);
	memcpy(f.eth.src, vm_mac, 6);
	memcpy(f.arp.sha, vm_mac, 6);
	memcpy(buf, &f, sizeof(f));
	return sizeof(f);
}

static int64_t cap_stat(struct vsw *sw, unsigned id, const char *key)
{
	struct json_object *o = vsw_stats(sw), *caps, *v;
	int64_t r = -1;
	size_t i;

	assert_true(json_object_object_get_ex(o, "captures", &caps));
	for (i = 0; i < json_object_array_length(caps); i++) {
		struct json_object *c = json_object_array_get_idx(caps, i);

		json_object_object_get_ex(c, "id", &v);
		if ((unsigned)json_object_get_int64(v) != id)
			continue;
		if (json_object_object_get_ex(c, key, &v))
			r = json_object_get_int64(v);
	}
	json_object_put(o);
	return r;
}

static void wait_done(struct done_rec *d)
{
	int i;

	for (i = 0; i < 300 && !atomic_load(&d->calls); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&d->calls), 1);
}

static void test_header_and_records(void **state)
{
	struct env *e = *state;
	uint8_t f[1500], r[2048];
	char err[256];
	unsigned id;
	size_t n;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 0, NULL, NULL,
					   &id, err, sizeof(err)), 0);
	/* the header is there before start returns */
	check_header(e->rd);

	n = build_raw(f, 100, 0xaa);
	assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, n), 0);
	n = build_raw(f, 1500, 0xbb);
	assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, n), 0);

	assert_int_equal(read_record(e->rd, r, sizeof(r)), 100);
	assert_memory_equal(r, f, 14);
	assert_int_equal(r[99], 0xaa);
	assert_int_equal(read_record(e->rd, r, sizeof(r)), 1500);
	assert_memory_equal(r, f, 1500);
	assert_int_equal(cap_stat(e->sw, id, "packets"), 2);
	assert_int_equal(cap_stat(e->sw, id, "dropped"), 0);

	assert_int_equal(vsw_capture_stop(e->sw, id), 0);
	assert_int_equal(vsw_capture_stop(e->sw, id), -ENOENT);
	assert_int_equal(cap_stat(e->sw, id, "packets"), -1);
	/* the capture closed its copy: with ours closed, the reader sees EOF */
	close(e->wr);
	e->wr = -1;
	assert_int_equal(read(e->rd, r, sizeof(r)), 0);
}

static void test_filter_and_gateway(void **state)
{
	struct env *e = *state;
	uint8_t f[1500], r[2048];
	char err[256];
	unsigned id;
	size_t n;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, "arp", 0, NULL, NULL,
					   &id, err, sizeof(err)), 0);
	check_header(e->rd);
	n = build_raw(f, 64, 0x01);		/* not ARP: filtered out */
	assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, n), 0);
	n = build_arp(f);			/* ARP, and the gateway's reply */
	assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, n), 0);

	assert_int_equal(read_record(e->rd, r, sizeof(r)), n);
	assert_memory_equal(r, f, n);
	assert_int_equal(read_record(e->rd, r, sizeof(r)), 60);
	assert_memory_equal(r + 6, gw_mac, 6);	/* from the gateway */
	assert_int_equal(r[21], ARP_OP_REPLY);
	assert_int_equal(cap_stat(e->sw, id, "packets"), 2);
	{
		struct json_object *o = vsw_stats(e->sw), *caps, *c, *v;

		json_object_object_get_ex(o, "captures", &caps);
		c = json_object_array_get_idx(caps, 0);
		assert_true(json_object_object_get_ex(c, "filter", &v));
		assert_string_equal(json_object_get_string(v), "arp");
		json_object_put(o);
	}
	assert_int_equal(vsw_capture_stop(e->sw, id), 0);
	/* nothing more was written: only EOF once our end is closed */
	close(e->wr);
	e->wr = -1;
	assert_int_equal(read(e->rd, r, sizeof(r)), 0);
}

static void test_count(void **state)
{
	struct env *e = *state;
	struct done_rec d = { 0 };
	uint8_t f[256], r[2048];
	char err[256];
	unsigned id, i;
	int k;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 3, on_done, &d,
					   &id, err, sizeof(err)), 0);
	check_header(e->rd);
	for (i = 0; i < 5; i++) {
		build_raw(f, 64, (uint8_t)i);
		assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, 64), 0);
	}
	wait_done(&d);
	assert_int_equal(d.reason, 0);
	assert_int_equal(d.packets, 3);
	assert_int_equal(d.dropped, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(read_record(e->rd, r, sizeof(r)), 64);
		assert_int_equal(r[20], i);
	}
	/* the switch reaps it: gone from stats, stop says so */
	for (k = 0; k < 300 && cap_stat(e->sw, id, "packets") >= 0; k++)
		usleep(10000);
	assert_int_equal(cap_stat(e->sw, id, "packets"), -1);
	assert_int_equal(vsw_capture_stop(e->sw, id), -ENOENT);
	close(e->wr);
	e->wr = -1;
	assert_int_equal(read(e->rd, r, sizeof(r)), 0);
	assert_int_equal(atomic_load(&d.calls), 1);
}

static void test_slow_reader(void **state)
{
	struct env *e = *state;
	struct done_rec d = { 0 };
	static uint8_t f[60000];
	char err[256];
	unsigned id, i;
	int64_t pk, dr;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 0, on_done, &d,
					   &id, err, sizeof(err)), 0);
	check_header(e->rd);
	/* nobody reads: 4 MiB of ring and 64 KiB of pipe fill up */
	build_raw(f, sizeof(f), 0x77);
	for (i = 0; i < 120; i++)
		assert_int_equal(vsw_inject(e->sw, e->port, NULL, f,
					    sizeof(f)), 0);
	pk = cap_stat(e->sw, id, "packets");
	dr = cap_stat(e->sw, id, "dropped");
	assert_int_equal(pk + dr, 120);
	assert_true(dr > 0);
	assert_true(pk >= 60);
	/* the switch kept forwarding all the while */
	{
		struct json_object *o = vsw_stats(e->sw), *v;

		json_object_object_get_ex(o, "rx_packets", &v);
		assert_int_equal(json_object_get_int64(v), 120);
		json_object_put(o);
	}
	/* stop with a stuck reader: gives up flushing, no callback */
	assert_int_equal(vsw_capture_stop(e->sw, id), 0);
	assert_int_equal(atomic_load(&d.calls), 0);
}

static void test_reader_gone(void **state)
{
	struct env *e = *state;
	struct done_rec d = { 0 };
	uint8_t f[64];
	char err[256];
	unsigned id;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 0, on_done, &d,
					   &id, err, sizeof(err)), 0);
	check_header(e->rd);
	close(e->rd);
	e->rd = -1;
	build_raw(f, 64, 0x11);
	assert_int_equal(vsw_inject(e->sw, e->port, NULL, f, 64), 0);
	wait_done(&d);
	assert_int_equal(d.reason, -EPIPE);
	/* and starting a capture on a pipe nobody reads fails at once */
	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 0, NULL, NULL,
					   &id, err, sizeof(err)), -EPIPE);
	assert_non_null(strstr(err, "header"));
}

static void test_bad_filter(void **state)
{
	struct env *e = *state;
	char err[256] = "";
	unsigned id;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, "tcp port banana", 0,
					   NULL, NULL, &id, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "tcp port banana"));
	assert_true(strlen(err) > strlen("bad filter 'tcp port banana': "));
	assert_null(strchr(err, '\n'));
	/* nothing was written */
	{
		struct pollfd pfd = { .fd = e->rd, .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 50), 0);
	}
	/* a bad fd */
	assert_int_equal(vsw_capture_start(e->sw, -1, NULL, 0, NULL, NULL,
					   &id, err, sizeof(err)), -EBADF);
}

static void test_destroy_with_capture(void **state)
{
	struct env *e = *state;
	struct done_rec d = { 0 };
	char err[256];
	unsigned id;

	assert_int_equal(vsw_capture_start(e->sw, e->wr, NULL, 0, on_done, &d,
					   &id, err, sizeof(err)), 0);
	testlib_switch_destroy(e->sw);
	e->sw = NULL;
	assert_int_equal(atomic_load(&d.calls), 0);
	check_header(e->rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_and_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_with_capture, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
