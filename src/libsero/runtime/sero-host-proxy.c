/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-host-proxy"

#include "config.h"

#include "sero-host-proxy.h"

/* Sero's host HTTP proxy (reference §4.1): containers whose own outbound
 * traffic is blocked (security software that filters a VM's network but not
 * host processes) reach the network through a process on the host. It
 * forwards plain HTTP requests with an absolute URL and tunnels CONNECT.
 *
 * The original listened on 0.0.0.0, which offered an open proxy to the
 * whole LAN. This one listens only on a loopback address or on the
 * container network's gateway address (an interface only the host and its
 * containers are on); sero_host_proxy_check_bind_address() refuses the
 * wildcard addresses outright (issue 3). A listener for containers also
 * refuses targets on the host's own loopback, so the proxy is not a door
 * from a container into services that trust 127.0.0.1.
 *
 * There is no forward-proxy library in Debian's GNOME stack (libsoup is a
 * client and a server, not a proxy), so this is a small one on GIO: each
 * listener has an accept thread, each connection a thread with blocking
 * I/O, and a CONNECT tunnel a second thread for the other direction. That
 * way it serves the app's main loop, the headless CLI and worker threads
 * alike, without needing anyone's main context to run. */

#define MAX_CONNECTIONS  128
#define MAX_HEAD_BYTES   (64 * 1024)
#define HEAD_TIMEOUT_S   30
#define CONNECT_TIMEOUT_S 30
#define PORT_ATTEMPTS    50

typedef struct
{
  SeroHostProxy            *proxy;    /* not owned: the proxy joins us before it goes */
  GSocket                  *socket;
  GCancellable             *cancellable;
  GThread                  *thread;
  char                     *address;
  guint                     port;
  SeroHostProxyListenFlags  flags;
} Listener;

struct _SeroHostProxy
{
  GObject    parent_instance;

  GMutex     lock;
  GPtrArray *listeners;
  gint       connections;
};

G_DEFINE_FINAL_TYPE (SeroHostProxy, sero_host_proxy, G_TYPE_OBJECT)

static void
listener_free (Listener *listener)
{
  g_cancellable_cancel (listener->cancellable);
  if (listener->thread != NULL)
    g_thread_join (listener->thread);
  g_socket_close (listener->socket, NULL);
  g_clear_object (&listener->socket);
  g_clear_object (&listener->cancellable);
  g_free (listener->address);
  g_free (listener);
}

static void
sero_host_proxy_finalize (GObject *object)
{
  SeroHostProxy *self = (SeroHostProxy *) object;

  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sero_host_proxy_parent_class)->finalize (object);
}

static void
sero_host_proxy_class_init (SeroHostProxyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_host_proxy_finalize;
}

static void
sero_host_proxy_init (SeroHostProxy *self)
{
  g_mutex_init (&self->lock);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
}

SeroHostProxy *
sero_host_proxy_new (void)
{
  return g_object_new (SERO_TYPE_HOST_PROXY, NULL);
}

/**
 * sero_host_proxy_get_default:
 *
 * The process's proxy, shared by every runtime so each address is listened
 * on once. It lives as long as the process.
 *
 * Returns: (transfer none): the proxy
 */
SeroHostProxy *
sero_host_proxy_get_default (void)
{
  static SeroHostProxy *instance;

  if (g_once_init_enter (&instance))
    g_once_init_leave (&instance, sero_host_proxy_new ());

  return instance;
}

/**
 * sero_host_proxy_is_enabled:
 *
 * `SERO_CONTAINER_PROXY=0` turns the proxy off and `=1` on, for every
 * backend. Unset, it follows the original: on for Apple containers (whose
 * VM network is the one security software blocks), off for Podman/Docker
 * and the host (reference §4.1, §7.3: "No HTTP proxy … is used for Docker").
 */
gboolean
sero_host_proxy_is_enabled (SeroRuntimeBackend backend)
{
  const char *value = g_getenv ("SERO_CONTAINER_PROXY");

  if (value != NULL && value[0] != '\0')
    return !g_str_equal (value, "0") && g_ascii_strcasecmp (value, "false") != 0;

  return backend == SERO_RUNTIME_BACKEND_APPLE_CONTAINER;
}

/**
 * sero_host_proxy_check_bind_address:
 *
 * Returns: %TRUE when @address is a single IP address the proxy may listen
 *   on: never a wildcard (0.0.0.0, ::), which would open it to the LAN
 */
gboolean
sero_host_proxy_check_bind_address (const char  *address,
                                    GError     **error)
{
  g_autoptr(GInetAddress) inet = address ? g_inet_address_new_from_string (address) : NULL;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The host proxy needs an IP address to listen on, not “%s”", address ? address : "");
      return FALSE;
    }

  if (g_inet_address_get_is_any (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The host proxy never listens on %s: that would open it to every network this "
                   "computer is on. It listens on loopback or the container gateway only.", address);
      return FALSE;
    }

  if (g_inet_address_get_is_multicast (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The host proxy cannot listen on the multicast address %s", address);
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_host_proxy_choose_bind_address:
 * @for_container: whether a container (rather than host processes) will use it
 * @gateway: (nullable): the container network's gateway address on the host
 * @reason: (out) (optional): why loopback was chosen for a container
 *
 * Host processes get 127.0.0.1. A container gets its network's gateway, the
 * host's address on that network, when there is a usable one; otherwise
 * 127.0.0.1, with the reason (a rootless network with no gateway on the
 * host, say). Never a wildcard address.
 *
 * Returns: (transfer full): the address to listen on
 */
char *
sero_host_proxy_choose_bind_address (gboolean     for_container,
                                     const char  *gateway,
                                     char       **reason)
{
  g_autoptr(GError) error = NULL;

  if (reason != NULL)
    *reason = NULL;

  if (!for_container)
    return g_strdup ("127.0.0.1");

  if (gateway == NULL || gateway[0] == '\0')
    {
      if (reason != NULL)
        *reason = g_strdup ("the container network has no gateway address on this host");
      return g_strdup ("127.0.0.1");
    }

  if (!sero_host_proxy_check_bind_address (gateway, &error))
    {
      if (reason != NULL)
        *reason = g_strdup (error->message);
      return g_strdup ("127.0.0.1");
    }

  return g_strdup (gateway);
}

/**
 * sero_host_proxy_subnet:
 *
 * Returns: (transfer full) (nullable): the network of @address, as
 *   "10.88.0.0/16", or %NULL when @address is not an address
 */
char *
sero_host_proxy_subnet (const char *address,
                        guint       prefix_length)
{
  g_autoptr(GInetAddress) inet = address ? g_inet_address_new_from_string (address) : NULL;
  guint8 bytes[16];
  gsize size;
  g_autoptr(GInetAddress) network = NULL;
  g_autofree char *text = NULL;

  if (inet == NULL)
    return NULL;

  size = g_inet_address_get_native_size (inet);
  if (prefix_length > size * 8)
    return NULL;

  memcpy (bytes, g_inet_address_to_bytes (inet), size);
  for (gsize i = 0; i < size; i++)
    {
      guint keep = prefix_length > i * 8 ? MIN (8, prefix_length - i * 8) : 0;

      bytes[i] &= (guint8) (0xff << (8 - keep));
    }

  network = g_inet_address_new_from_bytes (bytes, g_inet_address_get_family (inet));
  text = g_inet_address_to_string (network);
  return g_strdup_printf ("%s/%u", text, prefix_length);
}

/**
 * sero_host_proxy_build_env:
 * @proxy_url: e.g. "http://10.88.0.1:19800"
 * @subnet: (nullable): the container network, kept off the proxy
 *
 * The variables a runtime's commands get: the proxy in both cases (tools
 * disagree on which they read), and NO_PROXY/no_proxy with localhost,
 * 127.0.0.1 and the container subnet, so local traffic never detours
 * through the host.
 *
 * Returns: (transfer full): `NAME=VALUE` entries
 */
GStrv
sero_host_proxy_build_env (const char *proxy_url,
                           const char *subnet)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *no_proxy = NULL;
  static const char * const proxy_names[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", NULL };

  g_return_val_if_fail (proxy_url != NULL, NULL);

  no_proxy = subnet && subnet[0] ? g_strdup_printf ("localhost,127.0.0.1,%s", subnet)
                                 : g_strdup ("localhost,127.0.0.1");

  for (guint i = 0; proxy_names[i]; i++)
    {
      g_autofree char *entry = g_strdup_printf ("%s=%s", proxy_names[i], proxy_url);

      g_strv_builder_add (b, entry);
    }
  {
    g_autofree char *upper = g_strdup_printf ("NO_PROXY=%s", no_proxy);
    g_autofree char *lower = g_strdup_printf ("no_proxy=%s", no_proxy);

    g_strv_builder_add_many (b, upper, lower, NULL);
  }

  return g_strv_builder_end (b);
}

/**
 * sero_host_proxy_profile_lines:
 *
 * The proxy variables as lines of /etc/profile.d/sero-env.sh. Each only
 * fills in a variable that is unset: the values an exec passes with --env
 * are the live ones and must win over a file written earlier.
 *
 * Returns: (transfer full): shell lines, each ending in a newline
 */
char *
sero_host_proxy_profile_lines (const char * const *proxy_env)
{
  GString *lines = g_string_new (NULL);

  for (guint i = 0; proxy_env && proxy_env[i]; i++)
    {
      const char *eq = strchr (proxy_env[i], '=');
      g_autofree char *name = NULL;
      g_autofree char *quoted = NULL;

      if (eq == NULL)
        continue;
      name = g_strndup (proxy_env[i], eq - proxy_env[i]);
      quoted = g_shell_quote (eq + 1);
      g_string_append_printf (lines, "[ -n \"${%s:-}\" ] || %s=%s; export %s\n", name, name, quoted, name);
    }

  return g_string_free (lines, FALSE);
}

/* One connection. */

typedef struct
{
  SeroHostProxy            *proxy;
  GSocket                  *socket;
  SeroHostProxyListenFlags  flags;
} Connection;

typedef struct
{
  GInputStream  *from;
  GOutputStream *to;
  GSocket       *to_socket;
  gboolean       close_to;
} Pump;

static void
send_error (GOutputStream *out,
            guint          status,
            const char    *reason,
            const char    *detail)
{
  g_autofree char *body = g_strdup_printf ("%s%s%s\n", reason, detail ? ": " : "", detail ? detail : "");
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                               "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                               status, reason, strlen (body), body);

  g_output_stream_write_all (out, response, strlen (response), NULL, NULL, NULL);
}

/* Copies until end of file or an error, then half-closes the far side so
 * the peer sees the end too. When the upstream is done, the client is shut
 * down both ways, which also wakes this connection's other reader should
 * the client keep its side open. */
static gpointer
pump (gpointer data)
{
  Pump *p = data;
  char buffer[16 * 1024];

  for (;;)
    {
      gssize n = g_input_stream_read (p->from, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0 || !g_output_stream_write_all (p->to, buffer, n, NULL, NULL, NULL))
        break;
    }

  g_socket_shutdown (p->to_socket, p->close_to, TRUE, NULL);
  return NULL;
}

static gboolean
is_forbidden_target (GSocketConnection *upstream)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (upstream, NULL);
  GInetAddress *inet;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return TRUE;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  return g_inet_address_get_is_loopback (inet) ||
         g_inet_address_get_is_link_local (inet) ||
         g_inet_address_get_is_any (inet);
}

static gboolean
is_hop_header (const char *name)
{
  static const char * const hop[] = {
    "connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate",
    "te", "trailer", "upgrade", "host", NULL
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_strv_contains (hop, lower);
}

static void
handle (Connection *connection)
{
  g_autoptr(GSocketConnection) client = g_socket_connection_factory_create_connection (connection->socket);
  GOutputStream *client_out = g_io_stream_get_output_stream (G_IO_STREAM (client));
  g_autoptr(GDataInputStream) client_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (client)));
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *request_line = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  gboolean tunnel;
  gsize head_bytes = 0;
  guint port;
  Pump back;
  GThread *back_thread;

  g_socket_set_timeout (connection->socket, HEAD_TIMEOUT_S);
  g_data_input_stream_set_newline_type (client_in, G_DATA_STREAM_NEWLINE_TYPE_LF);

  request_line = g_data_input_stream_read_line (client_in, NULL, NULL, NULL);
  if (request_line == NULL)
    return;
  g_strchomp (request_line);
  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) != 3 || !g_str_has_prefix (parts[2], "HTTP/1."))
    {
      send_error (client_out, 400, "Bad Request", "not an HTTP/1 request line");
      return;
    }

  for (;;)
    {
      gsize length = 0;
      char *line = g_data_input_stream_read_line (client_in, &length, NULL, NULL);

      if (line == NULL)
        return;
      head_bytes += length;
      g_strchomp (line);
      if (line[0] == '\0')
        {
          g_free (line);
          break;
        }
      if (head_bytes > MAX_HEAD_BYTES)
        {
          g_free (line);
          send_error (client_out, 431, "Request Header Fields Too Large", NULL);
          return;
        }
      g_ptr_array_add (headers, line);
    }

  tunnel = g_str_equal (parts[0], "CONNECT");
  if (tunnel)
    {
      /* host:port, 443 when the port is left out, as the original did. */
      if (!g_network_address_parse (parts[1], 443, &error))
        {
          send_error (client_out, 400, "Bad Request", error->message);
          return;
        }
      g_clear_error (&error);
      {
        g_autoptr(GSocketConnectable) target = g_network_address_parse (parts[1], 443, NULL);

        host = g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (target)));
        port = g_network_address_get_port (G_NETWORK_ADDRESS (target));
      }
    }
  else
    {
      const char *query;

      uri = g_uri_parse (parts[1], G_URI_FLAGS_ENCODED, NULL);
      if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 || g_uri_get_host (uri) == NULL)
        {
          send_error (client_out, 400, "Bad Request",
                      "a proxy request needs an absolute http:// URL (use CONNECT for https)");
          return;
        }
      host = g_strdup (g_uri_get_host (uri));
      port = g_uri_get_port (uri) > 0 ? (guint) g_uri_get_port (uri) : 80;
      query = g_uri_get_query (uri);
      path = g_strdup_printf ("%s%s%s", g_uri_get_path (uri)[0] ? g_uri_get_path (uri) : "/",
                              query ? "?" : "", query ? query : "");
    }

  g_socket_client_set_timeout (connector, CONNECT_TIMEOUT_S);
  upstream = g_socket_client_connect_to_host (connector, host, port, NULL, &error);
  if (upstream == NULL)
    {
      send_error (client_out, 502, "Bad Gateway", error->message);
      return;
    }

  if ((connection->flags & SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK) && is_forbidden_target (upstream))
    {
      send_error (client_out, 403, "Forbidden",
                  "the host proxy does not forward containers to the host's own loopback");
      return;
    }

  if (tunnel)
    {
      const char *established = "HTTP/1.1 200 Connection Established\r\n\r\n";

      if (!g_output_stream_write_all (client_out, established, strlen (established), NULL, NULL, NULL))
        return;
    }
  else
    {
      GString *head = g_string_new (NULL);
      gboolean ok;

      /* One request per connection: the upstream closes after answering,
       * and the client, told so, does not reuse the connection. */
      g_string_append_printf (head, "%s %s %s\r\n", parts[0], path, parts[2]);
      if (g_uri_get_port (uri) > 0)
        g_string_append_printf (head, "Host: %s:%u\r\n", host, port);
      else
        g_string_append_printf (head, "Host: %s\r\n", host);
      for (guint i = 0; i < headers->len; i++)
        {
          const char *line = g_ptr_array_index (headers, i);
          const char *colon = strchr (line, ':');
          g_autofree char *name = colon ? g_strndup (line, colon - line) : NULL;

          if (name != NULL && !is_hop_header (g_strstrip (name)))
            g_string_append_printf (head, "%s\r\n", line);
        }
      g_string_append (head, "Connection: close\r\n\r\n");
      ok = g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (upstream)),
                                      head->str, head->len, NULL, NULL, NULL);
      g_string_free (head, TRUE);
      if (!ok)
        return;
    }

  /* Tunnels and streamed bodies may idle for long: no timeout from here. */
  g_socket_set_timeout (connection->socket, 0);
  g_socket_set_timeout (g_socket_connection_get_socket (upstream), 0);

  back.from = g_io_stream_get_input_stream (G_IO_STREAM (upstream));
  back.to = client_out;
  back.to_socket = connection->socket;
  back.close_to = TRUE;
  back_thread = g_thread_new ("sero-proxy-back", pump, &back);

  /* This thread: the client's bytes (what the head reader buffered first)
   * to the upstream. */
  {
    Pump forth = {
      .from = G_INPUT_STREAM (client_in),
      .to = g_io_stream_get_output_stream (G_IO_STREAM (upstream)),
      .to_socket = g_socket_connection_get_socket (upstream),
      .close_to = FALSE,
    };

    pump (&forth);
  }

  g_thread_join (back_thread);
  g_socket_close (g_socket_connection_get_socket (upstream), NULL);
}

static gpointer
connection_thread (gpointer data)
{
  Connection *connection = data;

  handle (connection);

  g_socket_close (connection->socket, NULL);
  g_atomic_int_add (&connection->proxy->connections, -1);
  g_object_unref (connection->proxy);
  g_object_unref (connection->socket);
  g_free (connection);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  Listener *listener = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (listener->socket, listener->cancellable, &error);
      Connection *connection;
      GThread *thread;

      if (socket == NULL)
        {
          if (g_cancellable_is_cancelled (listener->cancellable))
            return NULL;
          g_debug ("accept on %s:%u failed: %s", listener->address, listener->port, error->message);
          g_usleep (10 * 1000);
          continue;
        }

      if (g_atomic_int_add (&listener->proxy->connections, 1) >= MAX_CONNECTIONS)
        {
          g_autoptr(GSocketConnection) busy = g_socket_connection_factory_create_connection (socket);

          send_error (g_io_stream_get_output_stream (G_IO_STREAM (busy)), 503, "Service Unavailable",
                      "too many connections through the host proxy");
          g_socket_close (socket, NULL);
          g_object_unref (socket);
          g_atomic_int_add (&listener->proxy->connections, -1);
          continue;
        }

      /* Accepted sockets inherit non-blocking mode from GSocket's own
       * listening socket; the handlers use blocking I/O. */
      g_socket_set_blocking (socket, TRUE);
      connection = g_new0 (Connection, 1);
      connection->proxy = g_object_ref (listener->proxy);
      connection->socket = socket;
      connection->flags = listener->flags;
      thread = g_thread_new ("sero-proxy-conn", connection_thread, connection);
      g_thread_unref (thread);
    }
}

/**
 * sero_host_proxy_listen:
 * @address: a loopback or gateway IP address; never a wildcard
 * @port: the port, or 0 for the first free one from 19800 on
 *
 * Starts listening on @address, or returns the port already listened on
 * there.
 *
 * Returns: the port, or 0 with @error set
 */
guint
sero_host_proxy_listen (SeroHostProxy             *self,
                        const char                *address,
                        guint                      port,
                        SeroHostProxyListenFlags   flags,
                        GError                   **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;
  Listener *listener;
  guint attempts = port ? 1 : PORT_ATTEMPTS;
  guint bound = 0;

  g_return_val_if_fail (SERO_IS_HOST_PROXY (self), 0);

  if (!sero_host_proxy_check_bind_address (address, error))
    return 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *existing = g_ptr_array_index (self->listeners, i);

      if (g_str_equal (existing->address, address) && (port == 0 || existing->port == port))
        {
          bound = existing->port;
          g_mutex_unlock (&self->lock);
          return bound;
        }
    }

  inet = g_inet_address_new_from_string (address);
  for (guint i = 0; i < attempts && bound == 0; i++)
    {
      guint candidate = port ? port : SERO_HOST_PROXY_FIRST_PORT + i;
      g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (inet, candidate);

      g_clear_error (&local_error);
      g_clear_object (&socket);
      socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, &local_error);
      if (socket == NULL)
        break;
      if (g_socket_bind (socket, socket_address, TRUE, &local_error) && g_socket_listen (socket, &local_error))
        bound = candidate;
      else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        break;
    }

  if (bound == 0)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, G_IO_ERROR, local_error ? local_error->code : G_IO_ERROR_FAILED,
                   "The host proxy could not listen on %s: %s", address,
                   local_error ? local_error->message : "no free port");
      return 0;
    }

  listener = g_new0 (Listener, 1);
  listener->proxy = self;
  listener->socket = g_steal_pointer (&socket);
  listener->cancellable = g_cancellable_new ();
  listener->address = g_strdup (address);
  listener->port = bound;
  listener->flags = flags;
  listener->thread = g_thread_new ("sero-proxy-accept", accept_thread, listener);
  g_ptr_array_add (self->listeners, listener);
  g_mutex_unlock (&self->lock);

  g_debug ("Host proxy listening on %s:%u", address, bound);
  return bound;
}

/**
 * sero_host_proxy_stop:
 *
 * Stops listening everywhere. Connections already open finish by
 * themselves.
 */
void
sero_host_proxy_stop (SeroHostProxy *self)
{
  g_autoptr(GPtrArray) listeners = NULL;

  g_return_if_fail (SERO_IS_HOST_PROXY (self));

  g_mutex_lock (&self->lock);
  listeners = g_steal_pointer (&self->listeners);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  g_mutex_unlock (&self->lock);
}
