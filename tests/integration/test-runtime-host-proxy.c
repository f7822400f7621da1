/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero.h"
#include "sero-host-proxy.h"
#include "sero-runtime-oci.h"
#include "sero-test-support.h"

/* The host proxy for real: a server of the test's own on 127.0.0.1, reached
 * through the proxy with plain HTTP and with CONNECT. Every byte goes to
 * 127.0.0.1. The container test only checks what the container is told and
 * that the proxy listens on the gateway; it sends nothing there. */

static char *ui_root;

/* A tiny HTTP server: answers each request with what it saw, then closes. */
typedef struct
{
  GSocket *socket;
  guint    port;
  guint    requests;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *server = data;

  for (guint n = 0; n < server->requests; n++)
    {
      g_autoptr(GSocket) socket = g_socket_accept (server->socket, NULL, NULL);
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GDataInputStream) in = NULL;
      g_autofree char *request_line = NULL;
      g_autofree char *response = NULL;
      g_autofree char *body = NULL;
      g_autofree char *host = NULL;
      gboolean saw_proxy_header = FALSE;
      char *line;

      if (socket == NULL)
        return NULL;
      g_socket_set_blocking (socket, TRUE);
      connection = g_socket_connection_factory_create_connection (socket);
      in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
      request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
      while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
        {
          g_strchomp (line);
          if (line[0] == '\0')
            {
              g_free (line);
              break;
            }
          if (g_ascii_strncasecmp (line, "Host:", 5) == 0)
            host = g_strdup (g_strstrip (line + 5));
          if (g_ascii_strncasecmp (line, "Proxy-", 6) == 0)
            saw_proxy_header = TRUE;
          g_free (line);
        }

      body = g_strdup_printf ("%s|host=%s|proxy-headers=%s", request_line ? g_strchomp (request_line) : "",
                              host ? host : "", saw_proxy_header ? "yes" : "no");
      response = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                  strlen (body), body);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 response, strlen (response), NULL, NULL, NULL);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  return NULL;
}

static GThread *
server_start (Server *server,
              guint   requests)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server->socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (server->socket, &error));
  bound = g_socket_get_local_address (server->socket, &error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->requests = requests;

  return g_thread_new ("test-server", server_thread, server);
}

/* Sends @request to the proxy and reads everything until it closes. */
static char *
through_proxy (guint       proxy_port,
               const char *request,
               const char *then_send)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) received = g_byte_array_new ();
  GInputStream *in;
  GOutputStream *out;
  char buffer[4096];
  gssize n;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", proxy_port, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL, &error));

  if (then_send != NULL)
    {
      /* A tunnel: wait for the proxy's 200 before speaking through it. */
      const char *established = "HTTP/1.1 200 Connection Established\r\n\r\n";

      while (received->len < strlen (established) &&
             (n = g_input_stream_read (in, buffer, strlen (established) - received->len, NULL, &error)) > 0)
        g_byte_array_append (received, (guint8 *) buffer, n);
      g_assert_no_error (error);
      g_assert_cmpmem (received->data, received->len, established, strlen (established));
      g_assert_true (g_output_stream_write_all (out, then_send, strlen (then_send), NULL, NULL, &error));
    }

  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (received, (guint8 *) buffer, n);
  g_assert_no_error (error);
  g_byte_array_append (received, (guint8 *) "", 1);

  return g_strdup ((char *) received->data);
}

static void
test_forwards_http_and_connect (void)
{
  g_autoptr(SeroHostProxy) proxy = sero_host_proxy_new ();
  g_autoptr(GError) error = NULL;
  Server server = { 0 };
  GThread *thread = server_start (&server, 2);
  guint port = sero_host_proxy_listen (proxy, "127.0.0.1", 0, SERO_HOST_PROXY_LISTEN_NONE, &error);
  g_autofree char *plain_request = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *connect_request = NULL;
  g_autofree char *tunnelled = NULL;
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (port, >=, SERO_HOST_PROXY_FIRST_PORT);
  /* Asking again for the same address gives the same listener. */
  g_assert_cmpuint (sero_host_proxy_listen (proxy, "127.0.0.1", 0, SERO_HOST_PROXY_LISTEN_NONE, &error), ==, port);

  /* Plain HTTP: absolute URL in, origin-form out, Host rewritten, the
   * proxy's own headers dropped. */
  plain_request = g_strdup_printf ("GET http://127.0.0.1:%u/hello?x=1 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                   "Proxy-Connection: keep-alive\r\nUser-Agent: test\r\n\r\n",
                                   server.port, server.port);
  plain = through_proxy (port, plain_request, NULL);
  g_assert_true (g_str_has_prefix (plain, "HTTP/1.1 200 OK\r\n"));
  expected = g_strdup_printf ("GET /hello?x=1 HTTP/1.1|host=127.0.0.1:%u|proxy-headers=no", server.port);
  g_assert_true (g_str_has_suffix (plain, expected));

  /* CONNECT: a tunnel to the server, speaking HTTP inside it. */
  connect_request = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                     server.port, server.port);
  tunnelled = through_proxy (port, connect_request, "GET /through-tunnel HTTP/1.1\r\nHost: inside\r\n\r\n");
  g_assert_nonnull (strstr (tunnelled, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (tunnelled, "GET /through-tunnel HTTP/1.1|host=inside|proxy-headers=no"));

  g_thread_join (thread);
  g_object_unref (server.socket);
  sero_host_proxy_stop (proxy);
}

static void
test_refusals (void)
{
  g_autoptr(SeroHostProxy) proxy = sero_host_proxy_new ();
  g_autoptr(SeroHostProxy) guarded = sero_host_proxy_new ();
  g_autoptr(GError) error = NULL;
  Server server = { 0 };
  GThread *thread = NULL;
  guint port, guarded_port;
  g_autofree char *relative = NULL;
  g_autofree char *unreachable = NULL;
  g_autofree char *forbidden = NULL;
  g_autofree char *connect_request = NULL;

  /* Never the wildcard addresses. */
  g_assert_cmpuint (sero_host_proxy_listen (proxy, "0.0.0.0", 0, SERO_HOST_PROXY_LISTEN_NONE, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_cmpuint (sero_host_proxy_listen (proxy, "::", 0, SERO_HOST_PROXY_LISTEN_NONE, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  port = sero_host_proxy_listen (proxy, "127.0.0.1", 0, SERO_HOST_PROXY_LISTEN_NONE, &error);
  g_assert_no_error (error);

  relative = through_proxy (port, "GET /relative HTTP/1.1\r\nHost: x\r\n\r\n", NULL);
  g_assert_true (g_str_has_prefix (relative, "HTTP/1.1 400 "));

  /* Port 1 on loopback: nothing listens there. */
  unreachable = through_proxy (port, "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n", NULL);
  g_assert_true (g_str_has_prefix (unreachable, "HTTP/1.1 502 "));

  /* A listener for containers refuses the host's own loopback. */
  thread = server_start (&server, 1);
  guarded_port = sero_host_proxy_listen (guarded, "127.0.0.1", port + 1, SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK,
                                         &error);
  if (guarded_port == 0)
    {
      g_clear_error (&error);
      guarded_port = sero_host_proxy_listen (guarded, "127.0.0.1", 0, SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK, &error);
    }
  g_assert_no_error (error);
  connect_request = g_strdup_printf ("CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\n", server.port);
  forbidden = through_proxy (guarded_port, connect_request, NULL);
  g_assert_true (g_str_has_prefix (forbidden, "HTTP/1.1 403 "));

  /* Let the server thread go: the refused CONNECT did reach its accept. */
  g_thread_join (thread);
  g_object_unref (server.socket);
}

static void
test_container_is_told (void)
{
  g_autofree char *folder = g_dir_make_tmp ("sero-proxy-ws-XXXXXX", NULL);
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *id = g_strdup_printf ("p-%.8s", suffix);
  g_autoptr(SeroWorkspace) workspace = sero_workspace_new (id, folder);
  g_autoptr(SeroRuntime) runtime = sero_runtime_oci_new (workspace, ui_root);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroProcessResult) result = NULL;
  g_autofree char *container = g_strdup_printf ("sero-%s", id);
  g_autofree char *inspect = NULL;
  g_autofree char *gateway = NULL;
  g_autofree char *subnet = NULL;
  g_autofree char *message = NULL;
  guint prefix = 0;
  SeroExecRequest request = {
    .command = "echo \"$HTTP_PROXY|$https_proxy|$NO_PROXY|$no_proxy\"; grep -ci proxy /etc/profile.d/sero-env.sh"
  };

  g_setenv ("SERO_CONTAINER_PROXY", "1", TRUE);
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "container", (char *) "inspect",
                                                  container, NULL },
                               NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &inspect, NULL, NULL, NULL));
  gateway = sero_runtime_oci_parse_gateway (inspect, &prefix);
  message = sero_runtime_dup_status_message (runtime);
  result = sero_runtime_exec_sync (runtime, &request, NULL, &error);
  g_assert_no_error (error);

  if (gateway == NULL)
    {
      /* A network with no gateway on the host (rootless): not offered, and
       * the status says why. */
      g_assert_nonnull (message);
      g_assert_nonnull (strstr (message, "not offered"));
      g_assert_true (g_str_has_prefix (result->stdout_text, "|||\n"));
    }
  else
    {
      g_autofree char *expected = NULL;
      guint port;

      /* The proxy listens on the gateway (asking again returns that
       * listener); nothing is sent there. */
      port = sero_host_proxy_listen (sero_host_proxy_get_default (), gateway, 0,
                                     SERO_HOST_PROXY_LISTEN_REFUSE_LOOPBACK, &error);
      g_assert_no_error (error);
      subnet = sero_host_proxy_subnet (gateway, prefix);
      expected = g_strdup_printf ("http://%s:%u|http://%s:%u|localhost,127.0.0.1,%s|localhost,127.0.0.1,%s\n6\n",
                                  gateway, port, gateway, port, subnet, subnet);
      g_assert_cmpstr (result->stdout_text, ==, expected);
      g_assert_true (message == NULL || strstr (message, "proxy") == NULL);
    }

  g_unsetenv ("SERO_CONTAINER_PROXY");
  sero_test_podman_rm_workspace (id);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  sero_test_build_image ();
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  ui_root = g_dir_make_tmp ("sero-proxy-root-XXXXXX", NULL);
  g_setenv ("SERO_HOME_OVERRIDE", ui_root, TRUE);

  g_test_add_func ("/sero/runtime/host-proxy/forwards-http-and-connect", test_forwards_http_and_connect);
  g_test_add_func ("/sero/runtime/host-proxy/refusals", test_refusals);
  g_test_add_func ("/sero/runtime/host-proxy/container-is-told", test_container_is_told);

  ret = g_test_run ();
  g_free (ui_root);
  return ret;
}
