// SPDX-License-Identifier: MIT
/* test_dns_tcp.c - unit tests for DNS-over-TCP framing (dns/dns_tcp.c) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns_tcp.h"

/* a buffer of @cap bytes over @mem holding @n bytes of @bytes */
static struct dns_tcp_buf buf(uint8_t *mem, size_t cap, const void *bytes,
			      size_t n)
{
	struct dns_tcp_buf b = { .p = mem, .cap = cap, .len = n };

	memcpy(mem, bytes, n);
	return b;
}

static void test_next_whole(void **state)
{
	uint8_t mem[64];
	struct dns_tcp_buf b = buf(mem, sizeof(mem), "\0\3abc", 5);
	const uint8_t *m = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 5);
	assert_ptr_equal(m, mem + 2);
	assert_int_equal(len, 3);
	assert_memory_equal(m, "abc", 3);
}

/* a message split anywhere is not there until its last byte is */
static void test_next_split(void **state)
{
	static const uint8_t stream[] = { 0, 4, 'w', 'x', 'y', 'z' };
	uint8_t mem[64];
	const uint8_t *m;
	size_t cut, len;

	(void)state;
	for (cut = 0; cut < sizeof(stream); cut++) {
		struct dns_tcp_buf b = buf(mem, sizeof(mem), stream, cut);

		assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 0);
	}
	{
		struct dns_tcp_buf b = buf(mem, sizeof(mem), stream,
					   sizeof(stream));

		assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 6);
		assert_int_equal(len, 4);
	}
}

/* pipelined: two messages back to back, taken one after the other */
static void test_next_pipelined(void **state)
{
	uint8_t mem[64];
	struct dns_tcp_buf b = buf(mem, sizeof(mem), "\0\2ab\0\3cde\0", 10);
	const uint8_t *m;
	size_t len;
	long n;

	(void)state;
	n = dns_tcp_next(&b, 512, &m, &len);
	assert_int_equal(n, 4);
	assert_memory_equal(m, "ab", 2);
	dns_tcp_consume(&b, (size_t)n);
	assert_int_equal(b.len, 6);
	n = dns_tcp_next(&b, 512, &m, &len);
	assert_int_equal(n, 5);
	assert_memory_equal(m, "cde", 3);
	dns_tcp_consume(&b, (size_t)n);
	assert_int_equal(b.len, 1);		/* half a prefix left */
	assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 0);
	dns_tcp_consume(&b, 99);		/* more than held: empty */
	assert_int_equal(b.len, 0);
}

/* a length above the limit cannot be resynced: -EMSGSIZE at once */
static void test_next_too_long(void **state)
{
	uint8_t mem[8];
	struct dns_tcp_buf b = buf(mem, sizeof(mem), "\x02\x01", 2);
	const uint8_t *m;
	size_t len;

	(void)state;
	assert_int_equal(dns_tcp_next(&b, 512, &m, &len), -EMSGSIZE);
	b = buf(mem, sizeof(mem), "\x02\x00", 2);
	assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 0);	/* 512: fine */
	b = buf(mem, sizeof(mem), "\xff\xff", 2);
	assert_int_equal(dns_tcp_next(&b, 65535, &m, &len), 0);
	/* a zero-length message is a message (the server drops it) */
	b = buf(mem, sizeof(mem), "\0\0", 2);
	assert_int_equal(dns_tcp_next(&b, 512, &m, &len), 2);
	assert_int_equal(len, 0);
}

static void test_append(void **state)
{
	uint8_t mem[10];
	struct dns_tcp_buf b = { .p = mem, .cap = sizeof(mem) };

	(void)state;
	assert_int_equal(dns_tcp_room(&b), 8);
	assert_int_equal(dns_tcp_append(&b, "hello", 5), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(mem, "\0\5hello", 7);
	assert_int_equal(dns_tcp_room(&b), 1);
	/* whole or nothing */
	assert_int_equal(dns_tcp_append(&b, "ab", 2), -ENOBUFS);
	assert_int_equal(b.len, 7);
	assert_int_equal(dns_tcp_append(&b, "a", 1), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(dns_tcp_room(&b), 0);
	assert_int_equal(dns_tcp_append(&b, "a", 1), -ENOBUFS);
	assert_int_equal(dns_tcp_append(&b, "", 0), -EMSGSIZE);
	dns_tcp_consume(&b, 7);
	assert_memory_equal(mem, "\0\1a", 3);
}

/* an answer built in place, in the free space after the prefix */
static void test_append_in_place(void **state)
{
	static uint8_t mem[70000];
	struct dns_tcp_buf b = { .p = mem, .cap = sizeof(mem) };
	uint8_t *at;

	(void)state;
	assert_int_equal(dns_tcp_append(&b, "xy", 2), 0);
	at = b.p + b.len + DNS_TCP_PREFIX;
	memcpy(at, "built", 5);
	assert_int_equal(dns_tcp_append(&b, at, 5), 0);
	assert_memory_equal(mem, "\0\2xy\0\5built", 11);
	/* room never promises more than a message can be */
	assert_int_equal(dns_tcp_room(&b), 65535);
	assert_int_equal(dns_tcp_append(&b, mem, 65536), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_whole),
		cmocka_unit_test(test_next_split),
		cmocka_unit_test(test_next_pipelined),
		cmocka_unit_test(test_next_too_long),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
