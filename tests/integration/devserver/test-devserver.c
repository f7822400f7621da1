/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "sero.h"
#include "sero-dev-server-registry.h"
#include "sero-port-scan.h"
#include "sero-runtime-host.h"
#include "sero-runtime-oci.h"

/* Dev servers on the host and in a Podman container, with a busybox httpd.
 * HTTP goes only to 127.0.0.1, never to a container's address. */

#define TEST_IMAGE "localhost/sero-test:latest"

/* Recorded from a machine: an IPv4 listener on 0.0.0.0:8080, one on
 * 127.0.0.1:5173, ssh (ignored), an established connection (not a
 * listener), and an IPv6 [::]:3000 listener. */
static const char proc_net_tcp[] =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
  "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41234 1 0000000000000000 100 0 0 10 0\n"
  "   1: 0100007F:1435 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41235 1 0000000000000000 100 0 0 10 0\n"
  "   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0\n"
  "   3: 0100007F:1F90 0100007F:A2B2 01 00000000:00000000 00:00000000 00000000  1000        0 41236 1 0000000000000000 20 4 30 10 -1\n"
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
  "   0: 00000000000000000000000000000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0000000000000000 100 0 0 10 0\n";

static void
test_parse (void)
{
  g_autoptr(GArray) listeners = sero_port_scan_parse_proc_net_tcp (proc_net_tcp);
  SeroListener *l;

  g_assert_cmpuint (listeners->len, ==, 3);
  l = &g_array_index (listeners, SeroListener, 0);
  g_assert_cmpuint (l->port, ==, 8080);
  g_assert_true (l->public_address);
  g_assert_cmpuint (l->inode, ==, 41234);
  l = &g_array_index (listeners, SeroListener, 1);
  g_assert_cmpuint (l->port, ==, 5173);
  g_assert_false (l->public_address);
  l = &g_array_index (listeners, SeroListener, 2);
  g_assert_cmpuint (l->port, ==, 3000);
  g_assert_true (l->public_address);
}

static void
test_url_and_id (void)
{
  g_autofree char *published = sero_dev_server_preferred_url (8080, 41000, "10.88.0.5", TRUE);
  g_autofree char *by_ip = sero_dev_server_preferred_url (9999, 0, "10.88.0.5", TRUE);
  g_autofree char *local = sero_dev_server_preferred_url (9999, 0, NULL, TRUE);
  g_autofree char *host = sero_dev_server_preferred_url (5173, 5173, NULL, FALSE);
  g_autofree char *id = sero_dev_server_make_id ("shop", NULL, NULL, 5173);
  g_autofree char *card = sero_dev_server_make_id ("shop", "card-preview", "c1", 3000);

  g_assert_cmpstr (published, ==, "http://127.0.0.1:41000");
  g_assert_cmpstr (by_ip, ==, "http://10.88.0.5:9999");
  g_assert_cmpstr (local, ==, "http://localhost:9999");
  g_assert_cmpstr (host, ==, "http://127.0.0.1:5173");
  g_assert_cmpstr (id, ==, "shop:workspace:root:5173");
  g_assert_cmpstr (card, ==, "shop:card-preview:c1:3000");
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* GET / over a plain socket; returns the response. */
static char *
http_get (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  const char *request = "GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n";
  char buffer[4096];
  gssize n;

  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, strlen (request), NULL, NULL, &error));
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                                   sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (response, buffer, n);

  return g_string_free (g_steal_pointer (&response), FALSE);
}

static void
test_host (void)
{
  g_autofree char *folder = g_dir_make_tmp ("sero-dev-ws-XXXXXX", NULL);
  g_autofree char *index = g_build_filename (folder, "index.html", NULL);
  g_autoptr(SeroWorkspace) workspace = sero_workspace_new ("hostdev", folder);
  g_autoptr(SeroRuntime) runtime = sero_runtime_host_new (workspace);
  g_autoptr(SeroDevServerRegistry) registry = sero_dev_server_registry_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *id = NULL;
  g_autofree char *url = NULL;
  SeroDevServer *server;
  guint port = free_port ();

  g_assert_true (g_file_set_contents (index, "hello from the host", -1, NULL));
  command = g_strdup_printf ("busybox httpd -f -p 127.0.0.1:%u -h %s", port, folder);
  expected_url = g_strdup_printf ("http://127.0.0.1:%u", port);

  server = sero_dev_server_registry_start_sync (registry, runtime, "site", NULL, command, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_dev_server_get_port (server), ==, port);
  g_assert_cmpstr (sero_dev_server_get_url (server), ==, expected_url);
  g_assert_cmpstr (sero_dev_server_get_status (server), ==, "running");
  id = g_strdup (sero_dev_server_get_id (server));
  url = g_strdup (sero_dev_server_get_url (server));

  first = http_get (url);
  g_assert_nonnull (strstr (first, "hello from the host"));

  server = sero_dev_server_registry_restart_sync (registry, runtime, id, &error);
  g_assert_no_error (error);
  second = http_get (url);
  g_assert_nonnull (strstr (second, "hello from the host"));

  g_assert_true (sero_dev_server_registry_stop_sync (registry, runtime, id, &error));
  g_assert_no_error (error);
  g_assert_null (sero_dev_server_registry_lookup (registry, id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);

  /* Stopped means nothing listens any more. */
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) gone = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);

    g_assert_null (gone);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

static void
test_exits_early (void)
{
  g_autofree char *folder = g_dir_make_tmp ("sero-dev-ws-XXXXXX", NULL);
  g_autoptr(SeroWorkspace) workspace = sero_workspace_new ("quitter", folder);
  g_autoptr(SeroRuntime) runtime = sero_runtime_host_new (workspace);
  g_autoptr(SeroDevServerRegistry) registry = sero_dev_server_registry_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (sero_dev_server_registry_start_sync (registry, runtime, NULL, NULL, "sh -c 'echo broken; exit 3'",
                                                      NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Dev server exited before a listening port was detected"));
}

static void
test_container (void)
{
  g_autofree char *folder = g_dir_make_tmp ("sero-dev-ws-XXXXXX", NULL);
  g_autofree char *index = g_build_filename (folder, "index.html", NULL);
  g_autofree char *ui_root = g_dir_make_tmp ("sero-dev-root-XXXXXX", NULL);
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *id = g_strdup_printf ("dv-%.8s", suffix);
  g_autofree char *container = g_strdup_printf ("sero-%s", id);
  g_autofree char *script = g_build_filename (g_getenv ("SERO_SOURCE_ROOT"), "tests", "fixtures", "build-test-image.sh", NULL);
  g_autoptr(SeroWorkspace) workspace = sero_workspace_new (id, folder);
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(SeroDevServerRegistry) registry = sero_dev_server_registry_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  g_autofree char *server_id = NULL;
  SeroDevServer *server;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { script, (char *) "podman", (char *) TEST_IMAGE, NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_setenv ("SERO_NODE_IMAGE", TEST_IMAGE, TRUE);
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_assert_true (g_file_set_contents (index, "hello from the container", -1, NULL));

  runtime = sero_runtime_oci_new (workspace, ui_root);
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);

  /* 8080 is published on 127.0.0.1 when the container is created. */
  server = sero_dev_server_registry_start_sync (registry, runtime, "web", "/workspace",
                                                "busybox httpd -f -p 0.0.0.0:8080 -h /workspace", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_dev_server_get_port (server), ==, 8080);
  g_assert_true (g_str_has_prefix (sero_dev_server_get_url (server), "http://127.0.0.1:"));
  server_id = g_strdup (sero_dev_server_get_id (server));

  page = http_get (sero_dev_server_get_url (server));
  g_assert_nonnull (strstr (page, "hello from the container"));

  g_assert_true (sero_dev_server_registry_stop_sync (registry, runtime, server_id, &error));
  g_assert_no_error (error);

  g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "rm", (char *) "-f", container, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/devserver/parse-proc-net-tcp", test_parse);
  g_test_add_func ("/sero/devserver/url-and-id", test_url_and_id);
  g_test_add_func ("/sero/devserver/host", test_host);
  g_test_add_func ("/sero/devserver/exits-early", test_exits_early);
  g_test_add_func ("/sero/devserver/container", test_container);

  return g_test_run ();
}
