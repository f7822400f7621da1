/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-port-scan"

#include "config.h"

#include <stdlib.h>

#include "sero-port-scan.h"

/* Listening TCP ports inside a runtime, read from /proc/net/tcp and
 * /proc/net/tcp6 so it works in an image without iproute2 (the original
 * needed `ss`). Each line is "sl local rem st …": the local address is hex
 * "ADDR:PORT", state 0A is LISTEN, and field 10 is the socket inode, which
 * leads to the owning process through /proc/<pid>/fd. */

static const guint ignored_ports[] = { 22, 80, 443 };

/**
 * sero_port_scan_parse_proc_net_tcp:
 * @text: the contents of /proc/net/tcp, /proc/net/tcp6, or both
 *
 * Returns: (transfer full) (element-type SeroListener): listening sockets,
 *   one per port (22, 80 and 443 left out, as the original does)
 */
GArray *
sero_port_scan_parse_proc_net_tcp (const char *text)
{
  GArray *listeners = g_array_new (FALSE, TRUE, sizeof (SeroListener));
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GPtrArray) parts = g_ptr_array_new ();
      const char *local, *colon;
      SeroListener listener = { 0 };
      gboolean seen = FALSE;

      for (guint j = 0; fields[j]; j++)
        if (fields[j][0] != '\0')
          g_ptr_array_add (parts, fields[j]);

      /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
      if (parts->len < 10 || !g_str_has_suffix (g_ptr_array_index (parts, 0), ":") ||
          !g_str_equal (g_ptr_array_index (parts, 3), "0A"))
        continue;

      local = g_ptr_array_index (parts, 1);
      colon = strrchr (local, ':');
      if (colon == NULL)
        continue;

      listener.port = (guint) strtoul (colon + 1, NULL, 16);
      listener.inode = g_ascii_strtoull (g_ptr_array_index (parts, 9), NULL, 10);

      /* All zeros is the any-address, for IPv4 (8 digits) and IPv6 (32). */
      listener.public_address = TRUE;
      for (const char *c = local; c < colon; c++)
        if (*c != '0')
          listener.public_address = FALSE;

      if (listener.port == 0)
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (ignored_ports); j++)
        if (listener.port == ignored_ports[j])
          seen = TRUE;
      for (guint j = 0; j < listeners->len && !seen; j++)
        {
          SeroListener *other = &g_array_index (listeners, SeroListener, j);

          if (other->port == listener.port)
            {
              other->public_address |= listener.public_address;
              seen = TRUE;
            }
        }
      if (!seen)
        g_array_append_val (listeners, listener);
    }

  return listeners;
}

/**
 * sero_dev_server_preferred_url:
 * @published_port: the 127.0.0.1 port on the host that reaches @port, or 0
 * @container_ip: (nullable): the container's address
 *
 * The seed's order: the detected URL (a port published on 127.0.0.1, which
 * is the port itself on the host), then the container IP, then localhost.
 *
 * Returns: (transfer full): the URL to open
 */
char *
sero_dev_server_preferred_url (guint       port,
                               guint       published_port,
                               const char *container_ip,
                               gboolean    is_container)
{
  if (published_port != 0)
    return g_strdup_printf ("http://127.0.0.1:%u", published_port);

  if (is_container && container_ip != NULL && container_ip[0] != '\0')
    return g_strdup_printf ("http://%s:%u", container_ip, port);

  return g_strdup_printf ("http://localhost:%u", port);
}

/**
 * sero_dev_server_make_id:
 * @scope: (nullable): default "workspace"
 * @card_id: (nullable): default "root"
 *
 * Returns: (transfer full): `<workspaceId>:<scope>:<cardId|root>:<port>`
 */
char *
sero_dev_server_make_id (const char *workspace_id,
                         const char *scope,
                         const char *card_id,
                         guint       port)
{
  return g_strdup_printf ("%s:%s:%s:%u", workspace_id, scope ? scope : "workspace",
                          card_id ? card_id : "root", port);
}
