/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sero.h"
#include "sero-dev-server-registry.h"
#include "sero-runtime-host.h"
#include "sero-runtime-oci.h"
#include "sero-test-support.h"

/* Dev servers for real: a busybox httpd on the host and in a Podman
 * container, through the library and through `sero devserver`. HTTP goes
 * only to 127.0.0.1, never to a container's address. Every test stops
 * what it started, and waits are bounded by events, never timed. */


typedef struct
{
  char *folder;
  char *state;
  SeroWorkspace *workspace;
  SeroRuntime *runtime;
} HostFixture;

static void
host_fixture_set_up (HostFixture   *fixture,
                     gconstpointer  data)
{
  g_autofree char *index = NULL;

  fixture->folder = g_dir_make_tmp ("sero-dev-ws-XXXXXX", NULL);
  fixture->state = g_dir_make_tmp ("sero-dev-state-XXXXXX", NULL);
  index = g_build_filename (fixture->folder, "index.html", NULL);
  g_assert_true (g_file_set_contents (index, "hello from the host", -1, NULL));
  fixture->workspace = sero_workspace_new ("hostdev", fixture->folder);
  fixture->runtime = sero_runtime_host_new (fixture->workspace);
}

static void
delete_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  sero_file_delete_tree (file, NULL, NULL);
}

static void
host_fixture_tear_down (HostFixture   *fixture,
                        gconstpointer  data)
{
  g_clear_object (&fixture->runtime);
  g_clear_object (&fixture->workspace);
  delete_tree (fixture->folder);
  delete_tree (fixture->state);
  g_free (fixture->folder);
  g_free (fixture->state);
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

/* GET /index.html over a plain socket; only ever to 127.0.0.1. */
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

  g_assert_nonnull (uri);
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
assert_refused (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) gone = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);

  g_assert_null (gone);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* Whether any process still runs with @marker in its command line. */
static gboolean
process_with_marker_exists (const char *marker)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (contents[i] == '\0')
          contents[i] = ' ';
      if (strstr (contents, marker) != NULL && atoi (name) != getpid ())
        return TRUE;
    }

  return FALSE;
}

/* Whether a process of group @pgid still runs. Zombies do not count: the
 * init of a test sandbox may be slow to reap a setsid'd orphan. */
static gboolean
group_is_live (int pgid)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;
      const char *close;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, NULL, NULL) ||
          !(close = strrchr (contents, ')')))
        continue;
      fields = g_strsplit (close + 2, " ", 4);
      if (g_strv_length (fields) >= 3 && atoi (fields[2]) == pgid && fields[0][0] != 'Z')
        return TRUE;
    }

  return FALSE;
}

static guint
count_files (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static char *
httpd_command (const char *address,
               guint       port,
               const char *folder)
{
  g_autofree char *quoted = g_shell_quote (folder);

  return g_strdup_printf ("busybox httpd -f -p %s:%u -h %s", address, port, quoted);
}

static void
count_server_signal (SeroDevServerRegistry *registry,
                     SeroDevServer         *server,
                     guint                 *count)
{
  g_assert_true (SERO_IS_DEV_SERVER (server));
  (*count)++;
}

static void
count_id_signal (SeroDevServerRegistry *registry,
                 const char            *id,
                 guint                 *count)
{
  g_assert_nonnull (id);
  (*count)++;
}

/* Start, detect, serve, restart on the same port, stop: the registry's
 * list, signals and the server's properties along the way. */
static void
test_host_lifecycle (HostFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(SeroDevServer) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  guint port = free_port ();
  guint registered = 0, unregistered = 0, changed = 0;
  SeroDevServerRequest request = { .name = "site" };
  int first_pid;

  g_signal_connect (registry, "registered", G_CALLBACK (count_server_signal), &registered);
  g_signal_connect (registry, "unregistered", G_CALLBACK (count_id_signal), &unregistered);
  g_signal_connect (registry, "status-changed", G_CALLBACK (count_server_signal), &changed);

  command = httpd_command ("127.0.0.1", port, fixture->folder);
  request.command = command;
  expected_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  expected_id = g_strdup_printf ("hostdev:workspace:root:%u", port);

  server = sero_dev_server_registry_start_sync (registry, fixture->runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_dev_server_get_id (server), ==, expected_id);
  g_assert_cmpuint (sero_dev_server_get_port (server), ==, port);
  g_assert_cmpstr (sero_dev_server_get_url (server), ==, expected_url);
  g_assert_cmpstr (sero_dev_server_get_name (server), ==, "site");
  g_assert_cmpstr (sero_dev_server_get_cwd (server), ==, "/workspace");
  g_assert_cmpstr (sero_dev_server_get_scope (server), ==, "workspace");
  g_assert_null (sero_dev_server_get_card_id (server));
  g_assert_cmpint (sero_dev_server_get_status (server), ==, SERO_DEV_SERVER_STATUS_RUNNING);
  g_assert_cmpint (sero_dev_server_get_pid (server), >, 1);
  g_assert_nonnull (sero_dev_server_get_registered_at (server));
  g_assert_false (sero_dev_server_get_detached (server));
  g_assert_cmpuint (registered, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  g_assert_true (sero_dev_server_registry_lookup (registry, expected_id) == server);

  /* setsid made the pid its own process group. */
  g_assert_cmpint (getpgid (sero_dev_server_get_pid (server)), ==, sero_dev_server_get_pid (server));

  first = http_get (sero_dev_server_get_url (server));
  g_assert_nonnull (strstr (first, "hello from the host"));

  first_pid = sero_dev_server_get_pid (server);
  again = sero_dev_server_registry_restart_sync (registry, expected_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (again == server);
  g_assert_cmpint (sero_dev_server_get_pid (again), !=, first_pid);
  g_assert_cmpint (sero_dev_server_get_status (again), ==, SERO_DEV_SERVER_STATUS_RUNNING);
  g_assert_cmpuint (registered, ==, 1);
  g_assert_cmpuint (changed, ==, 2);  /* starting, then running again */
  g_assert_false (group_is_live (first_pid));

  second = http_get (sero_dev_server_get_url (again));
  g_assert_nonnull (strstr (second, "hello from the host"));

  g_assert_true (sero_dev_server_registry_stop_sync (registry, expected_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (unregistered, ==, 1);
  g_assert_cmpint (sero_dev_server_get_status (server), ==, SERO_DEV_SERVER_STATUS_STOPPED);
  g_assert_null (sero_dev_server_registry_lookup (registry, expected_id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
  assert_refused (port);

  g_assert_false (sero_dev_server_registry_stop_sync (registry, expected_id, NULL, &error));
  g_assert_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NO_RUNTIME);
}

static void
test_host_exits_early (HostFixture   *fixture,
                       gconstpointer  data)
{
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(GError) error = NULL;
  SeroDevServerRequest request = { .command = "echo broken on purpose; exit 3" };

  server = sero_dev_server_registry_start_sync (registry, fixture->runtime, &request, NULL, &error);
  g_assert_null (server);
  g_assert_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_EXITED);
  g_assert_true (g_str_has_prefix (error->message, "Dev server exited before a listening port was detected (pid "));

  /* The log's last lines come with the error. */
  g_assert_nonnull (strstr (error->message, "broken on purpose"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
}

/* A compound command with quotes runs whole, in the folder asked for. */
static void
test_host_compound_command (HostFixture   *fixture,
                            gconstpointer  data)
{
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (fixture->folder, "site", NULL);
  g_autofree char *index = g_build_filename (sub, "index.html", NULL);
  g_autofree char *command = NULL;
  g_autofree char *page = NULL;
  guint port = free_port ();
  SeroDevServerRequest request = { .cwd = "/workspace/site", .scope = "card-preview", .card_id = "c7" };

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (index, "from the subfolder", -1, NULL));

  command = g_strdup_printf ("echo \"it's $(pwd)\" && test -f index.html && busybox httpd -f -p 127.0.0.1:%u -h .", port);
  request.command = command;

  server = sero_dev_server_registry_start_sync (registry, fixture->runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_dev_server_get_port (server), ==, port);
  g_assert_cmpstr (sero_dev_server_get_scope (server), ==, "card-preview");
  g_assert_cmpstr (sero_dev_server_get_card_id (server), ==, "c7");
  g_assert_true (g_str_has_prefix (sero_dev_server_get_id (server), "hostdev:card-preview:c7:"));

  page = http_get (sero_dev_server_get_url (server));
  g_assert_nonnull (strstr (page, "from the subfolder"));

  g_assert_true (sero_dev_server_registry_stop_sync (registry, sero_dev_server_get_id (server), NULL, &error));
  g_assert_no_error (error);
  assert_refused (port);
}

static void
on_started (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(SeroDevServer) server = NULL;

  server = sero_dev_server_registry_start_finish (SERO_DEV_SERVER_REGISTRY (object), result, error);
  g_assert_null (server);
}

static gboolean
cancel_when_running (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  if (!process_with_marker_exists ("sero-never-listens-7364"))
    return G_SOURCE_CONTINUE;

  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelling a start that waits for a port kills what it started. */
static void
test_host_cancel (HostFixture   *fixture,
                  gconstpointer  data)
{
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "liveness-interval", 0, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  /* The marker is the inner shell's $0; ": " after the sleep keeps that
   * shell from replacing itself with it. */
  SeroDevServerRequest request = { .command = "exec sh -c 'sleep 300; :' sero-never-listens-7364" };

  g_timeout_add (20, cancel_when_running, cancellable);
  sero_dev_server_registry_start_async (registry, fixture->runtime, &request, cancellable, on_started, &error);

  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* SIGKILL has been sent to the group; wait for the kernel to finish it. */
  while (process_with_marker_exists ("sero-never-listens-7364"))
    g_usleep (10 * 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
}

static void
on_async_started (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SeroDevServer **server = user_data;
  g_autoptr(GError) error = NULL;

  *server = sero_dev_server_registry_start_finish (SERO_DEV_SERVER_REGISTRY (object), result, &error);
  g_assert_no_error (error);
}

static void
on_status_changed (SeroDevServerRegistry *registry,
                   SeroDevServer         *server,
                   SeroDevServerStatus   *last)
{
  *last = sero_dev_server_get_status (server);
}

/* The async start, then the liveness check noticing a server killed from
 * outside, and noticing it back once something listens there again. */
static void
test_host_liveness (HostFixture   *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY,
                                                            "liveness-interval", 50, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autofree char *command = NULL;
  guint port = free_port ();
  SeroDevServerStatus last = SERO_DEV_SERVER_STATUS_RUNNING;
  SeroDevServerRequest request = { 0 };
  g_autofree char *address = NULL;
  GPid revived;
  g_autoptr(GError) error = NULL;

  command = httpd_command ("127.0.0.1", port, fixture->folder);
  request.command = command;
  sero_dev_server_registry_start_async (registry, fixture->runtime, &request, NULL, on_async_started, &server);
  while (server == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_signal_connect (registry, "status-changed", G_CALLBACK (on_status_changed), &last);
  g_assert_cmpint (kill (-sero_dev_server_get_pid (server), SIGKILL), ==, 0);
  while (last != SERO_DEV_SERVER_STATUS_STOPPED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sero_dev_server_get_status (server), ==, SERO_DEV_SERVER_STATUS_STOPPED);

  /* Still registered: it can be restarted. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);

  address = g_strdup_printf ("127.0.0.1:%u", port);
  g_assert_true (g_spawn_async (NULL, (char *[]) { (char *) "busybox", (char *) "httpd", (char *) "-f", (char *) "-p",
                                                   address, (char *) "-h",
                                                   fixture->folder, NULL },
                                NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &revived, &error));
  g_assert_no_error (error);
  while (last != SERO_DEV_SERVER_STATUS_RUNNING)
    g_main_context_iteration (NULL, TRUE);

  kill (revived, SIGKILL);
  waitpid (revived, NULL, 0);
}

static char *
only_file (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name = dir ? g_dir_read_name (dir) : NULL;

  g_assert_nonnull (name);
  return g_build_filename (folder, name, NULL);
}

/* A host server this process owns has a crash record; shutdown stops it
 * and removes the record. */
static void
test_host_shutdown (HostFixture   *fixture,
                    gconstpointer  data)
{
  g_autofree char *records = g_build_filename (fixture->state, "host-dev-servers", NULL);
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY,
                                                            "host-records-dir", records,
                                                            "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *path = NULL;
  guint port = free_port ();
  SeroDevServerRequest request = { 0 };
  struct stat info;
  JsonObject *owner;

  command = httpd_command ("127.0.0.1", port, fixture->folder);
  request.command = command;
  server = sero_dev_server_registry_start_sync (registry, fixture->runtime, &request, NULL, &error);
  g_assert_no_error (error);

  path = only_file (records);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  record = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (record, "pgid"), ==, sero_dev_server_get_pid (server));
  owner = json_object_get_object_member (record, "owner");
  g_assert_cmpint (json_object_get_int_member (owner, "pid"), ==, getpid ());
  g_assert_cmpint (json_object_get_int_member (owner, "startTime"), >, 0);

  /* Our own servers are not orphans. */
  g_assert_cmpuint (sero_dev_server_registry_reap_orphans (registry), ==, 0);
  g_assert_cmpuint (count_files (records), ==, 1);

  sero_dev_server_registry_shutdown (registry);
  assert_refused (port);
  g_assert_cmpuint (count_files (records), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
}

/* After a crash: the record's owner is gone (here: a start time that does
 * not match, as after pid reuse), so the next start stops the server. */
static void
test_host_reap_orphans (HostFixture   *fixture,
                        gconstpointer  data)
{
  g_autofree char *records = g_build_filename (fixture->state, "host-dev-servers", NULL);
  g_autoptr(SeroDevServerRegistry) crashed = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY,
                                                           "host-records-dir", records,
                                                           "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServerRegistry) next = NULL;
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *path = NULL;
  guint port = free_port ();
  SeroDevServerRequest request = { 0 };
  int pid;

  command = httpd_command ("127.0.0.1", port, fixture->folder);
  request.command = command;
  server = sero_dev_server_registry_start_sync (crashed, fixture->runtime, &request, NULL, &error);
  g_assert_no_error (error);
  pid = sero_dev_server_get_pid (server);

  path = only_file (records);
  record = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  json_object_set_int_member (json_object_get_object_member (record, "owner"), "startTime", 1);
  g_assert_true (sero_json_file_save_object (path, record, SERO_JSON_FILE_NONE, &error));

  next = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "host-records-dir", records, "liveness-interval", 0, NULL);
  g_assert_cmpuint (sero_dev_server_registry_reap_orphans (next), ==, 1);
  assert_refused (port);
  g_assert_false (group_is_live (pid));
  g_assert_cmpuint (count_files (records), ==, 0);

  /* The record is gone, so the crashed registry's shutdown has nothing
   * left to stop; a reap of a group that no longer exists does nothing. */
  g_assert_cmpuint (sero_dev_server_registry_reap_orphans (next), ==, 0);
}

/* Detached servers (what the CLI starts) are in the records file, found
 * by another registry (another process), and never crash-recorded. */
static void
test_host_detached_records (HostFixture   *fixture,
                            gconstpointer  data)
{
  g_autofree char *records = g_build_filename (fixture->state, "agent", "dev-servers.json", NULL);
  g_autofree char *host_records = g_build_filename (fixture->state, "host-dev-servers", NULL);
  g_autoptr(SeroDevServerRegistry) cli = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY,
                                                       "records-path", records,
                                                       "host-records-dir", host_records,
                                                       "detached", TRUE,
                                                       "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServerRegistry) later = NULL;
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  SeroDevServer *found;
  guint port = free_port ();
  SeroDevServerRequest request = { .name = "docs" };

  command = httpd_command ("127.0.0.1", port, fixture->folder);
  request.command = command;
  server = sero_dev_server_registry_start_sync (cli, fixture->runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sero_dev_server_get_detached (server));
  id = g_strdup (sero_dev_server_get_id (server));
  g_assert_cmpuint (count_files (host_records), ==, 0);

  /* A detached server survives the shutdown of the registry that started it. */
  sero_dev_server_registry_shutdown (cli);
  g_clear_object (&cli);
  g_free (http_get (sero_dev_server_get_url (server)));

  later = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "records-path", records, "detached", TRUE,
                        "liveness-interval", 0, NULL);
  g_assert_true (sero_dev_server_registry_load (later, &error));
  g_assert_no_error (error);
  g_assert_nonnull ((found = sero_dev_server_registry_lookup (later, id)));
  g_assert_cmpstr (sero_dev_server_get_name (found), ==, "docs");
  g_assert_cmpstr (sero_dev_server_get_command (found), ==, command);
  g_assert_cmpint (sero_dev_server_get_pid (found), ==, sero_dev_server_get_pid (server));

  /* Without a runtime manager a record's runtime cannot be reached; the
   * test stops it with the runtime it was started in instead. */
  g_assert_false (sero_dev_server_registry_stop_sync (later, id, NULL, &error));
  g_assert_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NO_RUNTIME);
  g_clear_error (&error);

  g_assert_cmpint (kill (-sero_dev_server_get_pid (found), SIGTERM), ==, 0);
  while (group_is_live (sero_dev_server_get_pid (found)))
    g_usleep (10 * 1000);
  assert_refused (port);

  g_assert_true (g_file_get_contents (records, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, id));
}

/* ------------------------------------------------------------------------
 * The command line
 */

static char *cli_home;

static void
run_sero (SeroTestRun *run,
          const char  *first,
          ...)
{
  g_autofree char *home_var = g_strconcat ("SERO_HOME_OVERRIDE=", cli_home, NULL);
  const char *env[] = { home_var, "SERO_NODE_IMAGE=" SERO_TEST_IMAGE, "SERO_CONTAINER_ENGINE=podman", NULL };
  va_list args;

  va_start (args, first);
  sero_test_run_sero_valist (run, env, first, args);
  va_end (args);
}

static JsonObject *
list_one (const char *workspace_id)
{
  g_auto(SeroTestRun) list = { 0 };
  g_autoptr(JsonObject) root = NULL;
  JsonArray *servers;

  run_sero (&list, "devserver", "list", workspace_id, "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  root = sero_test_parse_object (list.out);
  servers = json_object_get_array_member (root, "servers");
  if (json_array_get_length (servers) == 0)
    return NULL;
  g_assert_cmpuint (json_array_get_length (servers), ==, 1);

  return json_object_ref (json_array_get_object_element (servers, 0));
}

static char *
cli_add_workspace (const char *folder,
                   const char *name,
                   const char *backend)
{
  g_auto(SeroTestRun) run = { 0 };
  g_auto(GStrv) fields = NULL;

  run_sero (&run, "workspace", "add", folder, "--name", name, "--runtime", backend, NULL);
  g_assert_cmpint (run.status, ==, 0);
  fields = g_strsplit (g_strstrip (run.out), "\t", 2);
  return g_strdup (fields[0]);
}

/* Start in one process, list, restart and stop from others; the server
 * keeps running between commands. */
static void
test_cli_host (HostFixture   *fixture,
               gconstpointer  data)
{
  g_auto(SeroTestRun) start = { 0 };
  g_auto(SeroTestRun) restart = { 0 };
  g_auto(SeroTestRun) stop = { 0 };
  g_auto(SeroTestRun) text_list = { 0 };
  g_auto(SeroTestRun) usage = { 0 };
  g_auto(SeroTestRun) unknown = { 0 };
  g_autoptr(JsonObject) running = NULL;
  g_autoptr(JsonObject) after_restart = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autofree char *workspace_id = NULL;
  g_autofree char *address = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *page = NULL;
  g_auto(GStrv) fields = NULL;
  guint port = free_port ();

  cli_home = g_build_filename (fixture->state, "home", NULL);
  workspace_id = cli_add_workspace (fixture->folder, "Docs Site", "host");
  address = g_strdup_printf ("127.0.0.1:%u", port);
  expected_id = g_strdup_printf ("%s:workspace:root:%u", workspace_id, port);

  run_sero (&start, "devserver", "start", workspace_id, "--name", "docs", "--",
            "busybox", "httpd", "-f", "-p", address, "-h", ".", NULL);
  g_assert_cmpint (start.status, ==, 0);
  fields = g_strsplit (g_strstrip (start.out), "\t", -1);
  g_assert_cmpstr (fields[0], ==, expected_id);
  g_assert_true (g_str_has_suffix (fields[1], address));

  /* The CLI process is gone; the server is not. */
  page = http_get (fields[1]);
  g_assert_nonnull (strstr (page, "hello from the host"));

  running = list_one (workspace_id);
  g_assert_nonnull (running);
  g_assert_cmpstr (json_object_get_string_member (running, "id"), ==, expected_id);
  g_assert_cmpstr (json_object_get_string_member (running, "status"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (running, "name"), ==, "docs");

  run_sero (&text_list, "devserver", "list", NULL);
  g_assert_cmpint (text_list.status, ==, 0);
  g_assert_true (g_str_has_prefix (text_list.out, expected_id));

  run_sero (&restart, "devserver", "restart", expected_id, NULL);
  g_assert_cmpint (restart.status, ==, 0);
  after_restart = list_one (workspace_id);
  g_assert_cmpstr (json_object_get_string_member (after_restart, "status"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (after_restart, "pid"), !=, json_object_get_int_member (running, "pid"));

  run_sero (&stop, "devserver", "stop", expected_id, NULL);
  g_assert_cmpint (stop.status, ==, 0);
  assert_refused (port);
  gone = list_one (workspace_id);
  g_assert_null (gone);

  run_sero (&usage, "devserver", "start", workspace_id, NULL);
  g_assert_cmpint (usage.status, ==, 2);
  run_sero (&unknown, "devserver", "stop", expected_id, NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "No dev server"));

  g_clear_pointer (&cli_home, g_free);
}

/* `stop` of an id with no record: whatever listens on its port in that
 * workspace is stopped, like the original's killPort. */
static void
test_cli_stop_unrecorded (HostFixture   *fixture,
                          gconstpointer  data)
{
  g_auto(SeroTestRun) stop = { 0 };
  g_autofree char *workspace_id = NULL;
  g_autofree char *server_id = NULL;
  g_autofree char *address = NULL;
  guint port = free_port ();
  GPid pid;
  g_autoptr(GError) error = NULL;

  cli_home = g_build_filename (fixture->state, "home", NULL);
  workspace_id = cli_add_workspace (fixture->folder, "Loose", "host");
  address = g_strdup_printf ("127.0.0.1:%u", port);
  server_id = g_strdup_printf ("%s:workspace:root:%u", workspace_id, port);

  g_assert_true (g_spawn_async (NULL, (char *[]) { (char *) "setsid", (char *) "busybox", (char *) "httpd",
                                                   (char *) "-f", (char *) "-p", address, (char *) "-h",
                                                   fixture->folder, NULL },
                                NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  while (kill (pid, 0) == 0)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) up = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (up != NULL)
        break;
      g_usleep (10 * 1000);
    }

  run_sero (&stop, "devserver", "stop", server_id, NULL);
  g_assert_cmpint (stop.status, ==, 0);
  waitpid (pid, NULL, 0);
  assert_refused (port);

  g_clear_pointer (&cli_home, g_free);
}

/* ------------------------------------------------------------------------
 * Podman
 */

/* In the container: detection through /proc without iproute2, the URL of
 * the port published on 127.0.0.1, restart and stop by process group. */
static void
test_container (HostFixture   *fixture,
                gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *id = g_strdup_printf ("dv-%.8s", suffix);
  g_autoptr(SeroWorkspace) workspace = NULL;
  g_autoptr(SeroRuntime) runtime = NULL;
  g_autoptr(SeroDevServerRegistry) registry = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "liveness-interval", 0, NULL);
  g_autoptr(SeroDevServer) server = NULL;
  g_autoptr(SeroDevServer) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *index = g_build_filename (fixture->folder, "index.html", NULL);
  g_autofree char *page = NULL;
  g_autofree char *server_id = NULL;
  SeroDevServerRequest request = { .name = "web", .command = "busybox httpd -f -p 0.0.0.0:8080 -h /workspace" };
  int first_pid;

  sero_test_build_image ();

  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_assert_true (g_file_set_contents (index, "hello from the container", -1, NULL));

  workspace = sero_workspace_new (id, fixture->folder);
  runtime = sero_runtime_oci_new (workspace, fixture->state);
  g_assert_true (sero_runtime_ensure_sync (runtime, NULL, &error));
  g_assert_no_error (error);

  /* 8080 is published on 127.0.0.1 when the container is created. */
  server = sero_dev_server_registry_start_sync (registry, runtime, &request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sero_dev_server_get_port (server), ==, 8080);
  g_assert_cmpuint (sero_runtime_get_published_port (runtime, 8080), !=, 0);
  g_assert_true (g_str_has_prefix (sero_dev_server_get_url (server), "http://127.0.0.1:"));
  server_id = g_strdup (sero_dev_server_get_id (server));
  g_assert_cmpstr (strchr (server_id, ':'), ==, ":workspace:root:8080");

  page = http_get (sero_dev_server_get_url (server));
  g_assert_nonnull (strstr (page, "hello from the container"));

  first_pid = sero_dev_server_get_pid (server);
  again = sero_dev_server_registry_restart_sync (registry, server_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sero_dev_server_get_pid (again), !=, first_pid);
  g_clear_pointer (&page, g_free);
  page = http_get (sero_dev_server_get_url (again));
  g_assert_nonnull (strstr (page, "hello from the container"));

  /* Liveness, read inside the container. */
  sero_dev_server_registry_refresh_sync (registry, NULL);
  g_assert_cmpint (sero_dev_server_get_status (again), ==, SERO_DEV_SERVER_STATUS_RUNNING);

  g_assert_true (sero_dev_server_registry_stop_sync (registry, server_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);

  {
    const char *argv[] = { "sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null", NULL };
    SeroExecRequest exec = { .argv = argv };
    g_autoptr(SeroProcessResult) result = sero_runtime_exec_sync (runtime, &exec, NULL, &error);

    g_assert_no_error (error);
    g_assert_null (strstr (result->stdout_text, ":1F90 00000000:0000 0A"));
  }

  /* A command that dies in the container says so. */
  {
    SeroDevServerRequest broken = { .command = "exit 7" };
    g_autoptr(SeroDevServer) none = sero_dev_server_registry_start_sync (registry, runtime, &broken, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_EXITED);
    g_clear_error (&error);
  }

  sero_test_podman_rm_workspace (id);
}

/* The same through `sero devserver`, with the runtime manager: a docker
 * workspace ensured by the CLI. */
static void
test_cli_container (HostFixture   *fixture,
                    gconstpointer  data)
{
  g_auto(SeroTestRun) start = { 0 };
  g_auto(SeroTestRun) stop = { 0 };
  g_autoptr(JsonObject) running = NULL;
  g_autofree char *workspace_id = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *page = NULL;
  g_auto(GStrv) fields = NULL;
  g_autofree char *name = NULL;
  g_autofree char *suffix = g_uuid_string_random ();

  sero_test_build_image ();

  cli_home = g_build_filename (fixture->state, "home", NULL);
  name = g_strdup_printf ("dvc %.8s", suffix);
  workspace_id = cli_add_workspace (fixture->folder, name, "docker");
  expected_id = g_strdup_printf ("%s:workspace:root:5173", workspace_id);

  run_sero (&start, "devserver", "start", workspace_id, "--",
            "busybox httpd -f -p 0.0.0.0:5173 -h /workspace", NULL);
  g_assert_cmpint (start.status, ==, 0);
  fields = g_strsplit (g_strstrip (start.out), "\t", -1);
  g_assert_cmpstr (fields[0], ==, expected_id);
  g_assert_true (g_str_has_prefix (fields[1], "http://127.0.0.1:"));

  page = http_get (fields[1]);
  g_assert_nonnull (strstr (page, "hello from the host"));

  running = list_one (workspace_id);
  g_assert_cmpstr (json_object_get_string_member (running, "status"), ==, "running");

  run_sero (&stop, "devserver", "stop", expected_id, NULL);
  g_assert_cmpint (stop.status, ==, 0);
  g_assert_null (list_one (workspace_id));

  sero_test_podman_rm_workspace (workspace_id);
  g_clear_pointer (&cli_home, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sero/devserver/" path, HostFixture, NULL, host_fixture_set_up, func, host_fixture_tear_down)

  ADD ("host/lifecycle", test_host_lifecycle);
  ADD ("host/exits-early", test_host_exits_early);
  ADD ("host/compound-command", test_host_compound_command);
  ADD ("host/cancel", test_host_cancel);
  ADD ("host/liveness", test_host_liveness);
  ADD ("host/shutdown", test_host_shutdown);
  ADD ("host/reap-orphans", test_host_reap_orphans);
  ADD ("host/detached-records", test_host_detached_records);
  ADD ("cli/host", test_cli_host);
  ADD ("cli/stop-unrecorded", test_cli_stop_unrecorded);
  ADD ("container/lifecycle", test_container);
  ADD ("cli/container", test_cli_container);

#undef ADD

  return g_test_run ();
}
