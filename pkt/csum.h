/* SPDX-License-Identifier: MIT */
/* csum.h - the Internet checksum (RFC 1071) */
#ifndef MVM_CSUM_H
#define MVM_CSUM_H

#include <stddef.h>
#include <stdint.h>

/** csum_partial() - add @len bytes at @buf to the running 32-bit sum @sum */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/** csum_fold() - fold a running sum to the final 16-bit one's complement */
uint16_t csum_fold(uint32_t sum);

/** csum_ip4_pseudo() - sum of the IPv4 pseudo header (addresses network order) */
uint32_t csum_ip4_pseudo(uint32_t saddr_be, uint32_t daddr_be, uint8_t proto,
			 uint16_t len);

#endif
