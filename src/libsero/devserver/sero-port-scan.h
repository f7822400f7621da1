/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint    port;
  guint64  inode;
  gboolean public_address;  /* 0.0.0.0 or :: rather than loopback */
} SeroListener;

GArray *sero_port_scan_parse_proc_net_tcp (const char *text);
char   *sero_dev_server_preferred_url      (guint       port,
                                            guint       published_port,
                                            const char *container_ip,
                                            gboolean    is_container);
char   *sero_dev_server_make_id            (const char *workspace_id,
                                            const char *scope,
                                            const char *card_id,
                                            guint       port);

G_END_DECLS
