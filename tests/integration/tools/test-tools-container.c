/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-runtime-oci.h"
#include "sero-test-support.h"
#include "sero-toolbox.h"

/* The agent's tools in a real Podman workspace (the tiny test image:
 * busybox, static bash, tini). One container serves every case; it is
 * removed at the end. */

static char          *ui_root;
static char          *folder;
static char          *workspace_id;
static SeroWorkspace *workspace;
static SeroRuntime   *runtime;

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static SeroToolResult *
run_tool_full (SeroToolbox  *toolbox,
               const char   *name,
               const char   *args_json,
               GCancellable *cancellable)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (args_json, &error);
  SeroToolResult *tool_result;

  g_assert_no_error (error);
  sero_toolbox_execute_async (toolbox, "call-1", name, json_node_get_object (node), cancellable, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  tool_result = sero_toolbox_execute_finish (toolbox, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tool_result);
  return tool_result;
}

static SeroToolResult *
run_tool (const char *name,
          const char *args_json)
{
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (runtime, NULL, NULL);

  return run_tool_full (toolbox, name, args_json, NULL);
}

static char *
expect (SeroToolResult *result,
        gboolean        is_error)
{
  char *text = sero_tool_result_dup_text (result);

  if (result->is_error != is_error)
    g_error ("expected %s, got: %s", is_error ? "an error" : "success", text);
  return text;
}

static char *
host_file (const char *relative)
{
  g_autofree char *path = g_build_filename (folder, relative, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
test_bash_inside (void)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;

  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (runtime, NULL, NULL);

  g_assert_cmpstr (sero_toolbox_get_root (toolbox), ==, "/workspace");

  /* The image's passwd has one line; the host's has many. */
  result = run_tool ("bash", "{\"command\": \"pwd; cat /etc/passwd; echo ${BASH_VERSION:+bash}\"}");
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, "/workspace\nroot:x:0:0:root:/root:/bin/sh\nbash");
}

static void
test_files_land_on_host (void)
{
  g_autoptr(SeroToolResult) written = NULL;
  g_autoptr(SeroToolResult) edited = NULL;
  g_autoptr(SeroToolResult) read_back = NULL;
  g_autoptr(SeroToolResult) listed = NULL;
  g_autoptr(SeroToolResult) found = NULL;
  g_autoptr(SeroToolResult) absolute = NULL;
  g_autofree char *written_text = NULL;
  g_autofree char *edited_text = NULL;
  g_autofree char *read_text = NULL;
  g_autofree char *listed_text = NULL;
  g_autofree char *found_text = NULL;
  g_autofree char *absolute_text = NULL;
  g_autofree char *on_host = NULL;

  written = run_tool ("write", "{\"path\": \"sub/dir/hello.txt\", \"content\": \"hello from the agent\\nsecond line\\n\"}");
  written_text = expect (written, FALSE);
  on_host = host_file ("sub/dir/hello.txt");
  g_assert_cmpstr (on_host, ==, "hello from the agent\nsecond line\n");

  edited = run_tool ("edit", "{\"path\": \"sub/dir/hello.txt\", \"oldText\": \"second\", \"newText\": \"2nd\"}");
  edited_text = expect (edited, FALSE);
  g_clear_pointer (&on_host, g_free);
  on_host = host_file ("sub/dir/hello.txt");
  g_assert_cmpstr (on_host, ==, "hello from the agent\n2nd line\n");

  read_back = run_tool ("read", "{\"path\": \"sub/dir/hello.txt\", \"offset\": 2}");
  read_text = expect (read_back, FALSE);
  g_assert_cmpstr (read_text, ==, "2nd line");

  absolute = run_tool ("read", "{\"path\": \"/workspace/sub/dir/hello.txt\", \"limit\": 1}");
  absolute_text = expect (absolute, FALSE);
  g_assert_cmpstr (absolute_text, ==, "hello from the agent\n\n[1 more lines in file. Use offset=2 to continue.]");

  listed = run_tool ("ls", "{\"path\": \"sub\"}");
  listed_text = expect (listed, FALSE);
  g_assert_cmpstr (listed_text, ==, "dir/");

  /* busybox grep and find. */
  found = run_tool ("grep", "{\"pattern\": \"AGENT\", \"ignoreCase\": true, \"glob\": \"*.txt\"}");
  found_text = expect (found, FALSE);
  g_assert_cmpstr (found_text, ==, "sub/dir/hello.txt:1: hello from the agent");
}

static void
test_container_only_paths (void)
{
  g_autofree char *container = g_strdup_printf ("sero-%s", workspace_id);
  g_autoptr(SeroToolResult) home = NULL;
  g_autoptr(SeroToolResult) image_file = NULL;
  g_autofree char *home_text = NULL;
  int status = -1;
  g_autofree char *image_text = NULL;

  /* ~ is the container's home, with a file the host does not have. (The
   * gate would rightly ask before bash writes there, so podman does.) */
  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "exec", container, (char *) "sh", (char *) "-c",
                                                  (char *) "echo in-the-container > \"$HOME/marker\"", NULL },
                               NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  home = run_tool ("read", "{\"path\": \"~/marker\"}");
  home_text = expect (home, FALSE);
  g_assert_cmpstr (home_text, ==, "in-the-container");

  image_file = run_tool ("read", "{\"path\": \"/etc/profile\", \"limit\": 1}");
  image_text = expect (image_file, FALSE);
  g_assert_true (g_str_has_prefix (image_text, "export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\n\n["));
}

static void
test_image_in_container (void)
{
  static const guint8 png_head[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R' };
  g_autofree char *path = g_build_filename (folder, "pic", NULL);
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree guchar *decoded = NULL;
  gsize length = 0;
  JsonObject *image;

  g_assert_true (g_file_set_contents (path, (const char *) png_head, sizeof png_head, NULL));
  result = run_tool ("read", "{\"path\": \"pic\"}");
  text = expect (result, FALSE);
  g_assert_cmpstr (text, ==, "Read image file [image/png]");
  image = json_array_get_object_element (result->content, 1);
  decoded = g_base64_decode (json_object_get_string_member (image, "data"), &length);
  g_assert_cmpmem (decoded, length, png_head, sizeof png_head);
}

static void
test_gate_in_container (void)
{
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  g_autofree char *data_dir = g_build_filename (folder, "data", NULL);

  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0755), ==, 0);
  result = run_tool ("bash", "{\"command\": \"rm -rf /workspace/data\"}");
  text = expect (result, TRUE);
  g_assert_true (g_str_has_prefix (text, "Dangerous command blocked (no UI for confirmation)"));
  g_assert_true (g_file_test (data_dir, G_FILE_TEST_IS_DIR));
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Whether a `sleep 600` runs in the container, asked with podman directly
 * so the question is not itself a process with "sleep 600" in its words. */
static gboolean
sleep_running (void)
{
  g_autofree char *container = g_strdup_printf ("sero-%s", workspace_id);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "podman", (char *) "exec", container,
                                                  (char *) "ps", (char *) "-o", (char *) "args", NULL },
                               NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_equal (g_strstrip (lines[i]), "sleep 600"))
      {
        g_test_message ("still running: %s", out);
        return TRUE;
      }
  return FALSE;
}

static void
test_abort_in_container (void)
{
  g_autoptr(SeroToolbox) toolbox = sero_toolbox_new (runtime, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SeroToolResult) result = NULL;
  g_autofree char *text = NULL;
  gint64 start;
  guint i;

  g_assert_false (sleep_running ());

  start = g_get_monotonic_time ();
  g_timeout_add (1000, cancel_later, cancellable);
  result = run_tool_full (toolbox, "bash", "{\"command\": \"sleep 600\"}", cancellable);
  text = expect (result, TRUE);
  g_assert_cmpstr (text, ==, "Command aborted");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);

  /* Killing `podman exec` is not enough: the sleep inside must go too. */
  for (i = 0; i < 20 && sleep_running (); i++)
    g_usleep (100 * 1000);
  if (i == 20)
    g_test_message ("sleep 600 still runs in the container after the abort");
  g_assert_cmpuint (i, <, 20);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *made = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* A failed check must not leave the container behind. */
  g_test_set_nonfatal_assertions ();

  sero_test_build_image ();
  g_setenv ("SERO_CONTAINER_ENGINE", "podman", TRUE);
  g_setenv ("SERO_NODE_IMAGE", SERO_TEST_IMAGE, TRUE);
  ui_root = g_dir_make_tmp ("sero-tools-root-XXXXXX", NULL);
  g_setenv ("SERO_HOME_OVERRIDE", ui_root, TRUE);

  made = g_dir_make_tmp ("sero-tools-ws-XXXXXX", NULL);
  folder = g_canonicalize_filename (made, NULL);
  workspace_id = g_strdup_printf ("t-%.8s", suffix);
  workspace = sero_workspace_new (workspace_id, folder);
  runtime = sero_runtime_oci_new (workspace, ui_root);

  g_test_add_func ("/sero/tools/container/bash-inside", test_bash_inside);
  g_test_add_func ("/sero/tools/container/files-land-on-host", test_files_land_on_host);
  g_test_add_func ("/sero/tools/container/container-only-paths", test_container_only_paths);
  g_test_add_func ("/sero/tools/container/image", test_image_in_container);
  g_test_add_func ("/sero/tools/container/gate", test_gate_in_container);
  g_test_add_func ("/sero/tools/container/abort", test_abort_in_container);

  ret = g_test_run ();

  sero_test_podman_rm_workspace (workspace_id);
  g_clear_object (&runtime);
  g_clear_object (&workspace);
  {
    g_autofree char *quoted_folder = g_shell_quote (folder);
    g_autofree char *quoted_root = g_shell_quote (ui_root);
    g_autofree char *command = g_strdup_printf ("rm -rf %s %s", quoted_folder, quoted_root);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (folder);
  g_free (ui_root);
  g_free (workspace_id);
  return ret;
}
