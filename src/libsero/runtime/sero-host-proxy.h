/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-workspace.h"

G_BEGIN_DECLS

/* The original's first port (reference §4.1); taken ports count up from it. */
#define SERO_HOST_PROXY_FIRST_PORT 19800

/**
 * SeroHostProxyListenFlags:
 * @SERO_HOST_PROXY_LISTEN_NONE: forward anywhere (for host processes, which
 *   reach the host's loopback anyway)
 * @SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK: refuse targets on the host's
 *   loopback or link-local addresses (for containers: the proxy must not be
 *   a way into services that listen on the host's 127.0.0.1)
 */
typedef enum
{
  SERO_HOST_PROXY_LISTEN_NONE            = 0,
  SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK = 1 << 0,
} SeroHostProxyListenFlags;

#define SERO_TYPE_HOST_PROXY (sero_host_proxy_get_type ())

G_DECLARE_FINAL_TYPE (SeroHostProxy, sero_host_proxy, SERO, HOST_PROXY, GObject)

SeroHostProxy *sero_host_proxy_new                  (void);
SeroHostProxy *sero_host_proxy_get_default          (void);
guint          sero_host_proxy_listen               (SeroHostProxy             *self,
                                                     const char                *address,
                                                     guint                      port,
                                                     SeroHostProxyListenFlags   flags,
                                                     GError                   **error);
void           sero_host_proxy_stop                 (SeroHostProxy             *self);

gboolean       sero_host_proxy_is_enabled           (SeroRuntimeBackend         backend);
gboolean       sero_host_proxy_check_bind_address   (const char                *address,
                                                     GError                   **error);
char          *sero_host_proxy_choose_bind_address  (gboolean                   for_container,
                                                     const char                *gateway,
                                                     char                     **reason);
char          *sero_host_proxy_subnet               (const char                *address,
                                                     guint                      prefix_length);
GStrv          sero_host_proxy_build_env            (const char                *proxy_url,
                                                     const char                *subnet);
char          *sero_host_proxy_profile_lines        (const char * const        *proxy_env);

G_END_DECLS
