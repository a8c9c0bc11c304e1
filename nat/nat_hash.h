/* SPDX-License-Identifier: MIT */
/*
 * nat_hash.h - SipHash-2-4, the keyed hash behind the flow table and ISNs
 *
 * Guests choose their ports and addresses, so a flow table hashed with an
 * unkeyed function could be driven into one long chain. Keying the hash
 * with a secret the caller draws at start (getrandom()) makes collisions
 * unpredictable; the same function derives RFC 6528 initial sequence
 * numbers.
 */
#ifndef MVM_NAT_HASH_H
#define MVM_NAT_HASH_H

#include <stddef.h>
#include <stdint.h>

/** struct nat_hash_key - a 128-bit SipHash key */
struct nat_hash_key {
	uint64_t k0;
	uint64_t k1;
};

/**
 * nat_siphash() - SipHash-2-4 of @len bytes at @buf under @key
 * @key:	the secret key
 * @buf, @len:	message (any content, read byte-wise; may be unaligned)
 * Return: the 64-bit hash
 */
uint64_t nat_siphash(const struct nat_hash_key *key, const void *buf,
		     size_t len);

#endif
