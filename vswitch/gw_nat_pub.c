// SPDX-License-Identifier: MIT
/* gw_nat_pub.c - published ports (placeholder: being written) */
#include <errno.h>

#include "vswitch/gw_nat.h"
#include "vswitch/gw_priv.h"

int gw_nat_pub_add(struct gw *gw, const struct vsw_publish *p)
{
	(void)gw; (void)p;
	return -ENOSYS;
}

int gw_nat_pub_remove(struct gw *gw, uint32_t owner)
{
	(void)gw; (void)owner;
	return 0;
}

void gw_nat_pub_event(struct gw *gw, uint32_t idx, uint32_t events)
{
	(void)gw; (void)idx; (void)events;
}

void gw_nat_pub_free(struct gw *gw)
{
	(void)gw;
}
